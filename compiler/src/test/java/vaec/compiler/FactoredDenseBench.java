package vaec.compiler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.lower.GraphLowering;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.Catalog;

/**
 * Not a test: a training step's forward and backward pass of a model's training graph as lowered
 * against the same graph with its dense layers over repeated parts factored
 * (RepeatedRowsFactoring), in one JVM, alternating round by round, in CPU time of the calling
 * thread (run it with VAEC_GEMM_SPLIT=0, so every product runs on that thread; other processes
 * on a shared machine then count less than in wall time). Prints the medians.
 *
 * <pre>
 * mvn -B -q -o test-compile -pl compiler -am
 * VAEC_GEMM_SPLIT=0 OMP_NUM_THREADS=1 java --add-modules jdk.incubator.vector \
 *     -cp compiler/target/test-classes:compiler/target/classes:$(cat cli/target/classpath.txt) \
 *     vaec.compiler.FactoredDenseBench bench/gmm.vae 128 15 40
 * </pre>
 */
public final class FactoredDenseBench {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "bench/gmm.vae");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 40;
    Compiler.Compilation c = Compiler.compile(new SourceFile(file.toString(), Files.readString(file)));
    Graph factored = c.compiled().train();
    Graph lowered = GraphLowering.lowerTraining(c.model(), c.plan(), Catalog.standard()).train();
    Executor a = executor(c, lowered, batch);
    Executor b = executor(c, factored, batch);
    NoiseSource noise = new NoiseSource(1);
    double[] ta = new double[rounds], tb = new double[rounds];
    long step = 0;
    for (int round = -5; round < rounds; round++) {
      double x = time(a, noise, step, steps);
      double y = time(b, noise, step, steps);
      step += steps;
      if (round >= 0) {
        ta[round] = x;
        tb[round] = y;
      }
    }
    double[] ra = ta.clone(), rb = tb.clone();
    Arrays.sort(ra);
    Arrays.sort(rb);
    System.out.printf("%s, batch %d: forward + backward of the training graph, CPU ms per step on one thread (median of %d rounds of %d steps)%n",
        file, batch, rounds, steps);
    System.out.printf("  as lowered %.3f   factored %.3f   difference %.3f ms (%.1f%%)%n", ra[rounds / 2], rb[rounds / 2],
        ra[rounds / 2] - rb[rounds / 2], 100 * (ra[rounds / 2] - rb[rounds / 2]) / ra[rounds / 2]);
    System.out.printf("  rounds, as lowered: %s%n  rounds, factored:   %s%n", fmt(ta), fmt(tb));
  }

  private static String fmt(double[] v) {
    StringBuilder s = new StringBuilder();
    for (double d : v) s.append(String.format("%.2f ", d));
    return s.toString().trim();
  }

  private static Executor executor(Compiler.Compilation c, Graph g, int batch) {
    var layout = c.compiled().params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore s = new ParameterStore(layout, DataType.FLOAT);
    Random r = new Random(7);
    INDArray v = s.values();
    for (long i = 0; i < v.length(); i++) v.putScalar(i, r.nextGaussian() * 0.05);
    Executor ex = new Executor(g, batch, s);
    for (var in : g.inputs().entrySet()) {
      INDArray x = ex.input(in.getKey());
      for (long i = 0; i < x.length(); i++) x.putScalar(i, r.nextDouble());
    }
    return ex;
  }

  /** CPU ms per step of {@code steps} steps (noise, forward, backward). */
  private static double time(Executor ex, NoiseSource noise, long first, int steps) {
    long t0 = MX.getCurrentThreadCpuTime();
    for (int i = 0; i < steps; i++) {
      ex.drawNoise(noise, first + i);
      ex.forward();
      ex.backward();
    }
    return (MX.getCurrentThreadCpuTime() - t0) / 1e6 / steps;
  }
}
