package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Concurrent cblas calls, under the test JVM's settings (OMP_NUM_THREADS=1, -Xmx4g): many split
 * gemms (two cblas calls at once, on the calling thread and the helper thread, as training makes
 * them) and many unsplit gemms from several Java threads at once, each result checked against a
 * product computed in plain Java. A crash of the JVM, or a wrong element, means concurrent calls
 * into this OpenBLAS build are unsafe and {@link Gemm} must serialise them.
 *
 * <p>The counts are bounded so that this runs in a few seconds on two cores; run it with
 * {@code -Dvaec.gemmStress=20} for twenty times as many rounds.
 */
class GemmConcurrencyTest {
  private static final int ROUNDS = Integer.getInteger("vaec.gemmStress", 1);

  /** One product C = alpha op(A) op(B) + beta C with its operands, its expected result and C's start. */
  private static final class Case {
    final int m, k, n;
    final boolean transA, transB;
    final double alpha, beta;
    final INDArray a, b, c;
    final double[] expected;
    final double[] start;
    final INDArray startCopy;

    Case(Random rng, DataType dt, int m, int k, int n, boolean transA, boolean transB, boolean views, double alpha, double beta) {
      this.m = m;
      this.k = k;
      this.n = n;
      this.transA = transA;
      this.transB = transB;
      this.alpha = alpha;
      this.beta = beta;
      a = operand(rng, transA ? k : m, transA ? m : k, views, dt);
      b = operand(rng, transB ? n : k, transB ? k : n, views, dt);
      c = operand(rng, m, n, views, dt);
      start = flat(c);
      startCopy = c.dup('c');
      double[] av = flat(a);
      double[] bv = flat(b);
      expected = new double[m * n];
      int aCols = (int) a.columns();
      int bCols = (int) b.columns();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            double x = transA ? av[p * aCols + i] : av[i * aCols + p];
            double y = transB ? bv[j * bCols + p] : bv[p * bCols + j];
            s += x * y;
          }
          expected[i * n + j] = alpha * s + beta * start[i * n + j];
        }
      }
    }

    boolean splits() {
      return Parallel.enabled() && (long) m * n * k >= Gemm.SPLIT_WORK && n >= 64;
    }

    /** Restores C, multiplies, and returns the largest error relative to the expected values' scale. */
    double run() {
      c.assign(startCopy);
      Gemm.gemm(a, transA, b, transB, c, alpha, beta);
      double[] got = flat(c);
      double worst = 0;
      for (int i = 0; i < got.length; i++) {
        double err = Math.abs(got[i] - expected[i]) / (1 + Math.abs(expected[i]));
        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(worst, err);
      }
      return worst;
    }

    @Override
    public String toString() {
      return c.dataType() + " " + m + "x" + k + "x" + n + (transA ? " A^T" : "") + (transB ? " B^T" : "")
          + (c.isView() ? " views" : "");
    }
  }

  @Test
  void splitGemmsMatchAReferenceProduct() {
    assertTrue(Parallel.enabled() || Runtime.getRuntime().availableProcessors() < 2
        || "0".equals(System.getenv("VAEC_GEMM_SPLIT")), "the helper thread is on with two or more cores");
    List<Case> cases = splitCases(new Random(7));
    for (Case c : cases) {
      if (Parallel.enabled()) assertTrue(c.splits(), c + " is large enough to split");
    }
    // The shapes interleaved, as the layers of a training step follow one another.
    for (int round = 0; round < 40 * ROUNDS; round++) {
      for (Case c : cases) {
        double err = c.run();
        assertTrue(err < tolerance(c), c + " round " + round + ": relative error " + err);
      }
    }
  }

  @Test
  void concurrentCallersOfSplitAndUnsplitGemmsMatchAReferenceProduct() throws Exception {
    // Four Java threads at once, each with its own operands: unsplit products are four direct
    // cblas calls at a time; split ones add the helper thread's halves to those.
    Random rng = new Random(11);
    List<List<Case>> perThread = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<Case> mine = new ArrayList<>(splitCases(rng));
      mine.add(new Case(rng, DataType.FLOAT, 64, 50, 40, false, false, true, 1, 0));
      mine.add(new Case(rng, DataType.FLOAT, 32, 300, 20, true, false, false, 1, 1));
      mine.add(new Case(rng, DataType.DOUBLE, 17, 33, 65, false, true, true, 0.5, 2));
      perThread.add(mine);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<Case> mine : perThread) {
        done.add(pool.submit(() -> {
          for (int round = 0; round < 15 * ROUNDS; round++) {
            for (Case c : mine) {
              double err = c.run();
              if (!(err < tolerance(c))) {
                throw new AssertionError(c + " round " + round + ": relative error " + err);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theReferenceProductCatchesAWrongResult() {
    // The check above must be able to fail: a product whose C was not restored is off.
    Case c = new Case(new Random(3), DataType.FLOAT, 8, 5, 6, false, false, false, 1, 1);
    assertEquals(0, c.run(), tolerance(c));
    Gemm.gemm(c.a, false, c.b, false, c.c, 1, 1);
    double[] twice = flat(c.c);
    double worst = 0;
    for (int i = 0; i < twice.length; i++) worst = Math.max(worst, Math.abs(twice[i] - c.expected[i]) / (1 + Math.abs(c.expected[i])));
    assertTrue(worst > 10 * tolerance(c), "accumulating twice differs by " + worst);
  }

  /** The shapes of a 784-400-20 MLP's forward and backward products at batch 128, and a few others. */
  private static List<Case> splitCases(Random rng) {
    return List.of(
        new Case(rng, DataType.FLOAT, 128, 784, 400, false, false, true, 1, 0),   // x W1
        new Case(rng, DataType.FLOAT, 128, 400, 784, false, false, true, 1, 0),   // h W_out
        new Case(rng, DataType.FLOAT, 784, 128, 400, true, false, true, 1, 1),    // dW1 += x^T dH
        new Case(rng, DataType.FLOAT, 128, 400, 784, false, true, true, 1, 0),    // dX = dH W1^T
        new Case(rng, DataType.FLOAT, 200, 150, 300, true, true, false, 2, 0.5),
        new Case(rng, DataType.DOUBLE, 100, 300, 160, false, false, true, 1, 0));
  }

  private static double tolerance(Case c) {
    return (c.c.dataType() == DataType.FLOAT ? 1e-5 : 1e-12) * Math.sqrt(c.k);
  }

  /** A rows x cols operand with values in [-1, 1]: a fresh matrix, or a column slice of a wider one inside a flat buffer. */
  private static INDArray operand(Random rng, int rows, int cols, boolean view, DataType dt) {
    INDArray x;
    if (view) {
      INDArray flat = Nd4j.create(dt, 7 + rows * (cols + 3));
      INDArray wide = flat.get(NDArrayIndex.interval(7, 7 + rows * (cols + 3))).reshape('c', rows, cols + 3);
      x = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + cols));
    } else {
      x = Nd4j.create(dt, rows, cols);
    }
    double[][] values = new double[rows][cols];
    for (double[] row : values) {
      for (int j = 0; j < cols; j++) row[j] = 2 * rng.nextDouble() - 1;
    }
    x.assign(Nd4j.create(values).castTo(dt));
    return x;
  }

  private static double[] flat(INDArray x) {
    // A fresh C-order copy holds exactly the view's rows x cols values, row by row.
    return x.dup('c').data().asDouble();
  }
}
