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
import vaec.runtime.optim.Adam;

/** One {@link Adam} step over the reference VAE's 652,824 float parameters (the whole flat vector). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamBenchmark {
  /** The reference VAE's parameter count: 784*400+400 + 400*40+40 + 20*400+400 + 400*784+784. */
  public static final int PARAMETERS = 652_824;

  INDArray params;
  INDArray grads;
  Adam adam;

  @Setup(Level.Trial)
  public void setUp() {
    Nd4j.getRandom().setSeed(1);
    params = Nd4j.rand(DataType.FLOAT, PARAMETERS).subi(0.5);
    grads = Nd4j.rand(DataType.FLOAT, PARAMETERS).subi(0.5).muli(1e-2);
    adam = new Adam(PARAMETERS, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
  }

  @Benchmark
  public boolean step() {
    return adam.step(params, grads);
  }
}
