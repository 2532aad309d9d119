package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.ops.BernoulliLogitsLogProb;

/**
 * The fused Bernoulli kernel: its float32 arithmetic against double-precision Math element by
 * element over the whole logit range, and the op's fused path against its neutral (ND4J) path,
 * loss and gradient, on the shapes and layouts the op meets.
 */
class FusedBernoulliTest {
  static final double EPS = Math.ulp(1.0f);   // 2^-23

  static double softplus(double l) { return Math.max(l, 0) + Math.log1p(Math.exp(-Math.abs(l))); }

  static double sigmoid(double l) {
    double e = Math.exp(-Math.abs(l));
    return l >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  /**
   * Every logit step of 1e-4 over [-100, 100] (and 0, -0, both sides of the cut at |l| = 86, the smallest normal float)
   * with x in {0, 1, 0.5, 0.3}: softplus (read off x = 0) to 4 ulps relative where |l| &lt;= 86
   * (measured: 2.05), and to 5e-38 absolute beyond; the value x l - softplus(l) to 4 ulps of the
   * larger of its two terms, plus 5e-38 beyond 86 (measured: 2.34); the gradient x - sigmoid(l)
   * to 2 ulps of 1 absolute, and sigmoid to 4 ulps relative where |l| &lt;= 86 (measured: 0.74 and
   * 1.44). An ulp here is 2^-23 of the value, float32's spacing just above 1.
   */
  interface Elementwise { void run(float[] x, float[] l, float[] v, float[] d, int n); }

  @Test
  void matchesDoublePrecisionOverTheWholeRange() {
    sweep(FusedBernoulli::elementwise, "heap form");
  }

  /** The Vector API form gives the heap form's floats, bit for bit, over the same sweep (and so within its bounds). */
  @Test
  void vectorFormGivesTheHeapFormsFloats() {
    assertEquals(VectorApi.expected(), VectorApi.ON, "the tests run with --add-modules jdk.incubator.vector (the root pom's argLine)");
    org.junit.jupiter.api.Assumptions.assumeTrue(VectorApi.ON, "no Vector API kernels in this build (Java 19 and later)");
    sweep(VectorApi.KERNELS::bernoulliElementwise, "Vector API form");
    int n = 2_000_016;
    float[] l = new float[n], x = new float[n];
    Random r = new Random(9);
    for (int i = 0; i < n; i++) {
      l[i] = (float) (-100 + 200.0 * i / (n - 1));
      x[i] = r.nextInt(3) / 2f;
    }
    float[] v1 = new float[n], d1 = new float[n], v2 = new float[n], d2 = new float[n];
    FusedBernoulli.elementwise(x, l, v1, d1, n);
    VectorApi.KERNELS.bernoulliElementwise(x, l, v2, d2, n);
    org.junit.jupiter.api.Assertions.assertArrayEquals(v1, v2);
    org.junit.jupiter.api.Assertions.assertArrayEquals(d1, d2);
  }

  /**
   * The matrix kernel (row sums and gradients, with or without the Vector API) gives the heap
   * form's floats row by row: each row through {@code elementwise} and {@code sum} in pieces of a
   * chunk, bit for bit; on widths with a tail shorter than a vector, wider than a chunk, and on
   * row slices of wider buffers.
   */
  @Test
  void rowSumsAreTheHeapFormsRowByRow() {
    for (int[] shape : new int[][] {{64, 784}, {67, 784}, {5, 1000}, {6, 1025}, {3, 4100}, {9, 31}, {2, 1}}) {
      int rows = shape[0], w = shape[1];
      INDArray wideX = Nd4j.rand(DataType.FLOAT, rows + 2, w + 3), wideL = Nd4j.randn(DataType.FLOAT, rows + 2, w + 3).muli(8);
      INDArray x = wideX.get(NDArrayIndex.interval(1, rows + 1), NDArrayIndex.interval(2, w + 2));
      INDArray l = wideL.get(NDArrayIndex.interval(2, rows + 2), NDArrayIndex.interval(0, w));
      INDArray out = Nd4j.create(DataType.FLOAT, rows, 1), d = Nd4j.create(DataType.FLOAT, rows, w);
      FusedBernoulli.forward(x, l, out, d);
      for (int i = 0; i < rows; i++) {
        float[] xr = x.getRow(i).dup().data().asFloat(), lr = l.getRow(i).dup().data().asFloat();
        float[] v = new float[w], dr = new float[w];
        FusedBernoulli.elementwise(xr, lr, v, dr, w);
        double sum = 0;
        for (int c0 = 0; c0 < w; c0 += FusedBernoulli.CHUNK) sum += FusedBernoulli.sum(v, c0, Math.min(FusedBernoulli.CHUNK, w - c0));
        assertEquals(Float.floatToRawIntBits((float) sum), Float.floatToRawIntBits(out.getFloat(i, 0)), rows + "x" + w + ", row " + i);
        org.junit.jupiter.api.Assertions.assertArrayEquals(dr, d.getRow(i).dup().data().asFloat(), rows + "x" + w + ", gradient row " + i);
      }
    }
  }

  private static void sweep(Elementwise kernel, String form) {
    int n = 2_000_001;
    float[] l = new float[n + 7 + 8];   // 2,000,016: a multiple of the vector lanes (8 or 16); the last 8 are 0
    for (int i = 0; i < n; i++) l[i] = (float) (-100 + 200.0 * i / (n - 1));
    float[] extra = {0f, -0f, 86f, -86f, Math.nextUp(86f), -Math.nextUp(86f), Float.MIN_NORMAL};
    System.arraycopy(extra, 0, l, n, extra.length);
    float[] x = new float[l.length], v = new float[l.length], d = new float[l.length];
    double worstSp = 0, worstVal = 0, worstGrad = 0, worstSig = 0;
    for (float xv : new float[] {0f, 1f, 0.5f, 0.3f}) {
      java.util.Arrays.fill(x, xv);
      kernel.run(x, l, v, d, l.length);
      for (int i = 0; i < l.length; i++) {
        double li = l[i];
        double sp = softplus(li);
        double sig = sigmoid(li);
        if (xv == 0f) {
          double err = Math.abs(-v[i] - sp);
          if (Math.abs(li) <= FusedBernoulli.A_MAX) {
            worstSp = Math.max(worstSp, err / (sp * EPS));
            assertTrue(err <= 4 * EPS * sp, "softplus(" + li + ") = " + -v[i] + ", exact " + sp);
          } else {
            assertTrue(err <= 5e-38, "softplus(" + li + ") = " + -v[i] + ", exact " + sp);
          }
        }
        double val = (double) xv * li - sp;
        double scale = Math.max(Math.abs((double) xv * li), sp);
        double beyond = Math.abs(li) > FusedBernoulli.A_MAX ? 5e-38 : 0;   // e held at exp(-86)
        if (beyond == 0) worstVal = Math.max(worstVal, Math.abs(v[i] - val) / (scale * EPS));
        assertTrue(Math.abs(v[i] - val) <= 4 * EPS * scale + beyond, "x " + xv + ", l " + li + ": " + v[i] + " against " + val);
        double g = Math.abs(d[i] - (xv - sig));
        worstGrad = Math.max(worstGrad, g / EPS);
        assertTrue(g <= 2 * EPS, "gradient at x " + xv + ", l " + li + ": " + d[i] + " against " + (xv - sig));
        if (xv == 0f && Math.abs(li) <= FusedBernoulli.A_MAX) {
          worstSig = Math.max(worstSig, Math.abs(-d[i] - sig) / (sig * EPS));
          assertTrue(Math.abs(-d[i] - sig) <= 4 * EPS * sig, "sigmoid(" + li + ") = " + -d[i] + ", exact " + sig);
        }
      }
    }
    System.out.printf("fused Bernoulli (%s), worst errors in ulps: softplus %.2f, value %.2f, gradient %.2f, sigmoid %.2f%n",
        form, worstSp, worstVal, worstGrad, worstSig);
  }

  /**
   * The logit gradient handed to the decoder's gemms holds no value below about 5e-29 in magnitude
   * but 0 (a near-subnormal operand makes x86's gemm many times slower), and every other value is
   * the exact product d g to within 5e-29, exactly so from 2^-46 up.
   */
  @Test
  void scaledGradientsFlushOnlyTheNearSubnormal() {
    float[] d = {0.5f, -0.25f, 1e-3f, -7e-20f, 3e-29f, -2e-30f, 1e-35f, -1e-38f, 1e-44f, 0f, 2e-28f};
    float[] gs = {1f / 128, 1e-30f};
    INDArray dm = Nd4j.createFromArray(new float[][] {d, d});
    INDArray g = Nd4j.createFromArray(new float[][] {{gs[0]}, {gs[1]}});
    INDArray out = Nd4j.create(DataType.FLOAT, 2, d.length);
    FusedBernoulli.scaleRows(dm, g, out);
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < d.length; c++) {
        float exact = d[c] * gs[r];
        float got = out.getFloat(r, c);
        if (Math.abs(exact) < 4e-29f) assertEquals(0f, Math.abs(got), "row " + r + ", " + d[c] + " x " + gs[r]);
        else if (Math.abs(exact) >= 0x1p-46f) assertEquals(exact, got, 0f, d[c] + " x " + gs[r]);
        else assertEquals(exact, got, 5e-29f, d[c] + " x " + gs[r]);
        assertTrue(got == 0 || Math.abs(got) >= 1e-29f, "a near-subnormal value was left: " + got);
      }
    }
  }

  @Test
  void nonFiniteLogitsStayNonFinite() {
    Elementwise[] kernels = VectorApi.ON
        ? new Elementwise[] {FusedBernoulli::elementwise, VectorApi.KERNELS::bernoulliElementwise}
        : new Elementwise[] {FusedBernoulli::elementwise};
    for (Elementwise kernel : kernels) {
      float[] l = new float[64], x = new float[64], v = new float[64], d = new float[64];
      l[0] = Float.NaN;
      l[1] = Float.POSITIVE_INFINITY;
      l[2] = Float.NEGATIVE_INFINITY;
      java.util.Arrays.fill(x, 0.5f);
      kernel.run(x, l, v, d, 64);
      assertTrue(Float.isNaN(v[0]) && Float.isNaN(d[0]), "NaN logit");
      assertTrue(!Float.isFinite(v[1]), "+inf logit: " + v[1]);
      assertTrue(!Float.isFinite(v[2]), "-inf logit: " + v[2]);
      assertEquals(-Math.log(2), v[3], 1e-7, "logit 0");
    }
  }

  /** Logits: normal(0, 5), with a share of extremes in [-100, limit]; x: 0, 1, or fractional. */
  static void fill(INDArray x, INDArray l, long seed, float limit) {
    Random r = new Random(seed);
    for (long i = 0; i < l.rows(); i++) {
      for (long j = 0; j < l.columns(); j++) {
        float li = (float) (r.nextGaussian() * 5);
        if (r.nextInt(20) == 0) li = -100 + r.nextFloat() * (limit + 100);
        l.putScalar(i, j, li);
        int kind = r.nextInt(3);
        x.putScalar(i, j, kind == 0 ? 0f : kind == 1 ? 1f : r.nextFloat());
      }
    }
  }

  /** Loss rows and logit gradient of the op, on the path asked for. */
  static INDArray[] run(INDArray x, INDArray l, INDArray g, boolean neutral) {
    KernelPath.forceNeutral(neutral);
    try {
      long b = l.rows(), w = l.columns();
      BernoulliLogitsLogProb op = new BernoulliLogitsLogProb();
      INDArray[] scratch = {Nd4j.create(DataType.FLOAT, b, w), Nd4j.create(DataType.FLOAT, b, w)};
      INDArray out = Nd4j.create(DataType.FLOAT, b, 1);
      INDArray gl = Nd4j.create(DataType.FLOAT, b, w);
      INDArray gx = Nd4j.create(DataType.FLOAT, b, w);
      for (int rep = 0; rep < 2; rep++) {    // the stashed gradient must serve every step
        op.forward(new INDArray[] {x, l}, out, scratch);
        op.backward(new INDArray[] {x, l}, out, g, new INDArray[] {gx, gl}, scratch);
      }
      return new INDArray[] {out, gl, gx};
    } finally {
      KernelPath.forceNeutral(false);
    }
  }

  /**
   * The fused path against the neutral one: each row's loss to 2e-6 of the sum of its terms'
   * magnitudes (float32 rounding of a 784-term sum, either way), the gradients to 2 ulps of 1.
   * Logits reach down to -100 (the neutral softplus gives 0 there, the fused one the tiny exact
   * value) and up to 88, where the neutral softplus still holds.
   */
  void compare(INDArray x, INDArray l, long seed) {
    fill(x, l, seed, 88f);
    INDArray g = Nd4j.rand(DataType.FLOAT, l.rows(), 1).addi(0.5);
    INDArray[] fused = run(x, l, g, false);
    INDArray[] neutral = run(x, l, g, true);
    float[][] xs = x.toFloatMatrix(), ls = l.toFloatMatrix();
    for (int i = 0; i < l.rows(); i++) {
      double mag = 0;
      for (int j = 0; j < l.columns(); j++) mag += Math.abs((double) xs[i][j] * ls[i][j]) + softplus(ls[i][j]);
      assertEquals(neutral[0].getDouble(i, 0), fused[0].getDouble(i, 0), 2e-6 * mag, "loss row " + i);
    }
    double gradDiff = neutral[1].sub(fused[1]).amaxNumber().doubleValue() / g.maxNumber().doubleValue();
    assertTrue(gradDiff <= 2 * EPS, "logit gradients differ by " + gradDiff);
    assertEquals(0.0, neutral[2].sub(fused[2]).amaxNumber().doubleValue(), 0.0, "x gradients");
  }

  @Test
  void fusedEqualsNeutralOnABatchInTwoHalves() {
    int b = 128, w = 784;
    assertTrue((long) b * w >= Parallel.SPLIT_ELEMENTS);
    compare(Nd4j.create(DataType.FLOAT, b, w), Nd4j.create(DataType.FLOAT, b, w), 1);
  }

  @Test
  void fusedEqualsNeutralOnSmallWideAndStridedBuffers() {
    compare(Nd4j.create(DataType.FLOAT, 3, 5), Nd4j.create(DataType.FLOAT, 3, 5), 2);
    compare(Nd4j.create(DataType.FLOAT, 7, 1), Nd4j.create(DataType.FLOAT, 7, 1), 3);
    // rows wider than a chunk: a row in several pieces
    compare(Nd4j.create(DataType.FLOAT, 3, FusedBernoulli.CHUNK * 2 + 17), Nd4j.create(DataType.FLOAT, 3, FusedBernoulli.CHUNK * 2 + 17), 4);
    // column slices of wider buffers (row stride larger than the width), and a row slice with an offset
    INDArray wideX = Nd4j.create(DataType.FLOAT, 40, 300), wideL = Nd4j.create(DataType.FLOAT, 40, 300);
    compare(wideX.get(NDArrayIndex.all(), NDArrayIndex.interval(13, 213)), wideL.get(NDArrayIndex.all(), NDArrayIndex.interval(50, 250)), 5);
    compare(wideX.get(NDArrayIndex.interval(5, 25), NDArrayIndex.all()), wideL.get(NDArrayIndex.interval(9, 29), NDArrayIndex.all()), 6);
  }

  /** Above l = 88 the neutral softplus overflows; the fused one stays finite and exact. */
  @Test
  void fusedLossStaysFiniteForLargeLogits() {
    INDArray x = Nd4j.createFromArray(new float[][] {{0f, 1f, 0.5f}, {1f, 0f, 0.25f}});
    INDArray l = Nd4j.createFromArray(new float[][] {{100f, 95f, -100f}, {89f, -99f, 100f}});
    INDArray g = Nd4j.ones(DataType.FLOAT, 2, 1);
    INDArray[] fused = run(x, l, g, false);
    float[][] xs = x.toFloatMatrix(), ls = l.toFloatMatrix();
    for (int i = 0; i < 2; i++) {
      double exact = 0;
      for (int j = 0; j < 3; j++) exact += xs[i][j] * (double) ls[i][j] - softplus(ls[i][j]);
      assertEquals(exact, fused[0].getDouble(i, 0), 4 * EPS * 300, "row " + i);
      for (int j = 0; j < 3; j++) assertEquals(xs[i][j] - sigmoid(ls[i][j]), fused[1].getDouble(i, j), 2 * EPS);
    }
    INDArray[] neutral = run(x, l, g, true);
    assertTrue(!Double.isFinite(neutral[0].getDouble(0, 0)), "the neutral path's softplus overflows (documented)");
  }
}
