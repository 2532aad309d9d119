package vaec.runtime.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Not a test: the timing the kernel benchmarks share (FusedBernoulliBench, FusedTanhBench,
 * FusedDenseBench): ND4J's ops against a fused kernel on one thread, alternating, in CPU time of
 * the calling thread (so that other processes on a shared machine count less).
 */
final class KernelBench {
  private KernelBench() {}

  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  /**
   * Three rounds of warm-up, then {@code rounds} rounds of {@code reps} calls of each, alternating
   * round by round; prints {@code title} and the medians of the rounds' CPU microseconds per call.
   */
  static void rounds(String title, Runnable nd4j, Runnable fused, int rounds, int reps) {
    double[] a = new double[rounds], b = new double[rounds];
    for (int round = -3; round < rounds; round++) {
      long t0 = MX.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) nd4j.run();
      long t1 = MX.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) fused.run();
      long t2 = MX.getCurrentThreadCpuTime();
      if (round >= 0) {
        a[round] = (t1 - t0) / 1e3 / reps;
        b[round] = (t2 - t1) / 1e3 / reps;
      }
    }
    Arrays.sort(a);
    Arrays.sort(b);
    System.out.printf("%s, one thread, CPU us per call (median of %d rounds):%n", title, rounds);
    System.out.printf("  ND4J ops %.1f   fused %.1f   ratio %.2f%n", a[rounds / 2], b[rounds / 2], a[rounds / 2] / b[rounds / 2]);
  }

  /**
   * 300 warm-up calls of each, then {@code calls} of each alternating call by call;
   * prints {@code what} and the median CPU microseconds of a call of each.
   */
  static void calls(String what, Runnable nd4j, Runnable fused, int calls) {
    for (int i = 0; i < 300; i++) {
      nd4j.run();
      fused.run();
    }
    long[] a = new long[calls], b = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = MX.getCurrentThreadCpuTime();
      nd4j.run();
      long t1 = MX.getCurrentThreadCpuTime();
      fused.run();
      long t2 = MX.getCurrentThreadCpuTime();
      a[i] = t1 - t0;
      b[i] = t2 - t1;
    }
    Arrays.sort(a);
    Arrays.sort(b);
    System.out.printf("%-28s ND4J ops %8.1f us   fused %8.1f us   (median of %d calls each)%n", what, a[calls / 2] / 1e3, b[calls / 2] / 1e3, calls);
  }
}
