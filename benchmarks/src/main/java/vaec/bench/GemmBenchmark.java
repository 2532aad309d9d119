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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import vaec.runtime.kernels.Gemm;

/**
 * {@link Gemm#gemm} at the reference VAE's five large products (batch 128), split across the two
 * threads ({@code split=true}, what training does) and on the calling thread alone.
 *
 * <p>A shape is {@code MxKxN} (C is M x N, the inner dimension K) with the operand that is
 * transposed: {@code 128x784x400} is the encoder's first layer forward (x W), {@code 128x400x784}
 * the decoder's last, {@code 784x128x400:tA} and {@code 400x128x784:tA} their weight gradients
 * (x^T dY), and {@code 128x784x400:tB} the gradient into the decoder's hidden layer (dY W^T).
 *
 * <p>Unsplit runs from a thread named {@code vaec-helper}: {@link vaec.runtime.kernels.Parallel#both}
 * runs both halves inline when called from its own helper thread, so the product is one cblas call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark {
  @Param({"128x784x400", "128x400x784", "784x128x400:tA", "400x128x784:tA", "128x784x400:tB"})
  public String shape;

  @Param({"true", "false"})
  public boolean split;

  INDArray a;
  INDArray b;
  INDArray c;
  boolean transA;
  boolean transB;
  private String threadName;

  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = shape.split(":");
    String[] d = parts[0].split("x");
    int m = Integer.parseInt(d[0]);
    int k = Integer.parseInt(d[1]);
    int n = Integer.parseInt(d[2]);
    transA = parts.length > 1 && parts[1].equals("tA");
    transB = parts.length > 1 && parts[1].equals("tB");
    Nd4j.getRandom().setSeed(1);
    a = transA ? Nd4j.rand(DataType.FLOAT, k, m) : Nd4j.rand(DataType.FLOAT, m, k);
    b = transB ? Nd4j.rand(DataType.FLOAT, n, k) : Nd4j.rand(DataType.FLOAT, k, n);
    c = Nd4j.create(DataType.FLOAT, m, n);
  }

  @Setup(Level.Iteration)
  public void nameThread() {
    threadName = Thread.currentThread().getName();
    if (!split) Thread.currentThread().setName("vaec-helper");
  }

  @TearDown(Level.Iteration)
  public void restoreThreadName() {
    Thread.currentThread().setName(threadName);
  }

  /** C = op(A) op(B), overwriting C (beta = 0), as a layer's forward pass does. */
  @Benchmark
  public void gemm() {
    Gemm.gemm(a, transA, b, transB, c, 1.0, 0.0);
  }
}
