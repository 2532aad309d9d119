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
import vaec.runtime.ops.BernoulliLogitsLogProb;

/**
 * The reference VAE's likelihood, {@link BernoulliLogitsLogProb}, on a 128 x 784 batch: forward
 * (log-density per row) and backward (the logits' gradient only: the data needs none).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BernoulliBenchmark {
  static final int BATCH = 128;
  static final int WIDTH = 784;

  final BernoulliLogitsLogProb op = new BernoulliLogitsLogProb();
  INDArray[] in;
  INDArray out;
  INDArray[] scratch;
  INDArray g;
  INDArray[] gIn;

  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, WIDTH);
    INDArray logits = Nd4j.randn(DataType.FLOAT, BATCH, WIDTH).muli(3);
    in = new INDArray[] {x, logits};
    out = Nd4j.create(DataType.FLOAT, BATCH, 1);
    scratch = new INDArray[] {Nd4j.create(DataType.FLOAT, BATCH, WIDTH), Nd4j.create(DataType.FLOAT, BATCH, WIDTH)};
    g = Nd4j.ones(DataType.FLOAT, BATCH, 1).divi(BATCH);
    gIn = new INDArray[] {null, Nd4j.create(DataType.FLOAT, BATCH, WIDTH)};
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
