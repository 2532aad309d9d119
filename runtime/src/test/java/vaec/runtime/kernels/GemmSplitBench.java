package vaec.runtime.kernels;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Not a test: a stand-alone comparison of the two ways {@link Gemm} can split a product over two
 * threads, by column halves of C or by row halves, against one thread, for the products a
 * training step makes (bench/PERFORMANCE_LOG.md, "Splitting a product by rows or by columns"). The three forms
 * alternate call by call in one JVM; prints the median of 300 calls of each.
 * <pre>
 *   mvn -B -q -o test-compile -pl runtime
 *   OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX java -cp runtime/target/test-classes:runtime/target/classes:$(cat cli/target/classpath.txt) \
 *       vaec.runtime.kernels.GemmSplitBench
 * </pre>
 */
public final class GemmSplitBench {
  private GemmSplitBench() {}

  /** m, n, k, transA, transB (C is m x n): the reference VAE's weight gradients and forward products, and the mixture's. */
  static final int[][] SHAPES = {
      {128, 400, 784, 0, 0}, {128, 784, 400, 0, 0}, {400, 784, 128, 1, 0}, {128, 400, 784, 0, 1}, {784, 400, 128, 1, 0},
      {784, 400, 64, 1, 0}, {400, 784, 640, 1, 0}, {640, 784, 400, 0, 0}, {20, 400, 640, 1, 0}};

  private static volatile Runnable task;
  private static final AtomicInteger DONE = new AtomicInteger();

  private static void helper() {
    while (true) {
      Runnable r = task;
      if (r != null) {
        task = null;
        r.run();
        DONE.incrementAndGet();
      } else {
        Thread.onSpinWait();
      }
    }
  }

  /** C rows [m0, m0 + m) and columns [n0, n0 + n) of op(A) op(B). */
  private static void part(int[] s, FloatPointer a, FloatPointer b, FloatPointer c, int m0, int m, int n0, int n) {
    int mm = s[0], nn = s[1], k = s[2];
    boolean ta = s[3] == 1, tb = s[4] == 1;
    int lda = ta ? mm : k, ldb = tb ? k : nn;
    FloatPointer pa = new FloatPointer(a).position(ta ? m0 : (long) m0 * lda);
    FloatPointer pb = new FloatPointer(b).position(tb ? (long) n0 * ldb : n0);
    FloatPointer pc = new FloatPointer(c).position((long) m0 * nn + n0);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, nn);
  }

  private static void both(Runnable second, Runnable first) {
    int d0 = DONE.get();
    task = second;
    first.run();
    while (DONE.get() == d0) Thread.onSpinWait();
  }

  public static void main(String[] args) {
    Thread h = new Thread(GemmSplitBench::helper, "bench-helper");
    h.setDaemon(true);
    h.start();
    java.util.Random r = new java.util.Random(1);
    for (int[] s : SHAPES) {
      int m = s[0], n = s[1], k = s[2];
      FloatPointer a = new FloatPointer((long) m * k), b = new FloatPointer((long) k * n), c = new FloatPointer((long) m * n);
      for (long i = 0; i < (long) m * k; i++) a.put(i, (float) r.nextGaussian());
      for (long i = 0; i < (long) k * n; i++) b.put(i, (float) r.nextGaussian());
      double[][] us = new double[3][300];
      for (int rep = 0; rep < 300; rep++) {
        for (int form = 0; form < 3; form++) {
          long t0 = System.nanoTime();
          if (form == 0) {
            part(s, a, b, c, 0, m, 0, n);
          } else if (form == 1) {
            int half = n / 2;
            both(() -> part(s, a, b, c, 0, m, half, n - half), () -> part(s, a, b, c, 0, m, 0, half));
          } else {
            int half = m / 2;
            both(() -> part(s, a, b, c, half, m - half, 0, n), () -> part(s, a, b, c, 0, half, 0, n));
          }
          us[form][rep] = (System.nanoTime() - t0) / 1e3;
        }
      }
      StringBuilder line = new StringBuilder(String.format("%4dx%4dx%4d %s%s:", m, n, k, s[3] == 1 ? "tA" : "  ", s[4] == 1 ? "tB" : "  "));
      String[] names = {"one thread", "column halves", "row halves"};
      for (int form = 0; form < 3; form++) {
        double[] x = us[form].clone();
        java.util.Arrays.sort(x);
        line.append(String.format("  %s %.0f us", names[form], x[x.length / 2]));
      }
      System.out.println(line);
    }
    System.exit(0);
  }
}
