package vaec.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Dense;

/**
 * The reference VAE's first encoder layer, a {@link Dense} relu layer 784 -> 400 on a batch of
 * 128: forward (gemm, bias, relu) and backward (relu's derivative, weight and bias gradients; the
 * data input needs no gradient).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DenseBenchmark {
  static final int BATCH = 128;
  static final int IN = 784;
  static final int OUT = 400;

  final Dense op = new Dense(Activation.RELU);
  INDArray[] in;
  INDArray out;
  INDArray[] scratch;
  INDArray g;
  INDArray[] gIn;

  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(1);
    // Parameters as the executor hands them over: views into one flat vector, the bias of rank 1.
    INDArray flat = Nd4j.rand(DataType.FLOAT, IN * OUT + OUT).subi(0.5).muli(0.1);
    INDArray w = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, IN * OUT)).reshape(IN, OUT);
    INDArray b = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(IN * OUT, IN * OUT + OUT));
    INDArray gradFlat = Nd4j.create(DataType.FLOAT, IN * OUT + OUT);
    INDArray gw = gradFlat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, IN * OUT)).reshape(IN, OUT);
    INDArray gb = gradFlat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(IN * OUT, IN * OUT + OUT));
    in = new INDArray[] {Nd4j.rand(DataType.FLOAT, BATCH, IN), w, b};
    out = Nd4j.create(DataType.FLOAT, BATCH, OUT);
    scratch = new INDArray[] {Nd4j.create(DataType.FLOAT, BATCH, OUT), Nd4j.create(DataType.FLOAT, BATCH, 1)};
    op.initScratch(scratch);
    g = Nd4j.randn(DataType.FLOAT, BATCH, OUT).muli(1e-2);
    gIn = new INDArray[] {null, gw, gb};
    op.forward(in, out, scratch);   // backward reads the forward's output
  }

  @Benchmark
  public void forward() {
    op.forward(in, out, scratch);
  }

  @Benchmark
  public void backward() {
    op.backward(in, out, g, gIn, scratch);
  }
}
