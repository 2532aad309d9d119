package vaec.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import vaec.runtime.kernels.Parallel;

/** The cost of a hand-off to the helper thread: {@link Parallel#both} of two empty tasks. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ParallelBenchmark {
  static final Runnable NOTHING = () -> {};

  @Benchmark
  public void both() {
    Parallel.both(NOTHING, NOTHING);
  }
}
