package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import vaec.runtime.ops.Dense;

/**
 * The fused tanh layer kernel: its float32 tanh against double-precision Math.tanh over the whole
 * range, and a tanh dense layer's fused path (bias, tanh, derivative) against its neutral (ND4J)
 * path, on the shapes and layouts a layer meets.
 */
class FusedTanhTest {
  static final double EPS = Math.ulp(1.0f);   // 2^-23

  /**
   * Every step of 1e-5 over [-12, 12], and 0, -0, tiny and huge values: tanh to 3 ulps relative
   * (an ulp here 2^-23 of the value), where |p| &gt; 9 (the clamp) to 2^-24 absolute, and below
   * 1e-30 (where the sign is a clamped fraction) to 1e-30 absolute; the sign exact.
   */
  @Test
  void matchesDoublePrecisionOverTheWholeRange() {
    int n = 2_400_001;
    float[] extra = {0f, -0f, 1e-30f, -1e-30f, 1e-20f, -3e-8f, Float.MIN_NORMAL, 9f, -9f, Math.nextUp(9f), 40f, -1e9f, 3e38f};
    float[] p = new float[n + extra.length];
    for (int i = 0; i < n; i++) p[i] = (float) (-12 + 24.0 * i / (n - 1));
    System.arraycopy(extra, 0, p, n, extra.length);
    float[] zero = new float[p.length], z = new float[p.length];
    FusedTanh.tanh(p, zero, z, p.length);
    double worst = 0;
    for (int i = 0; i < p.length; i++) {
      double exact = Math.tanh(p[i]);
      double err = Math.abs(z[i] - exact);
      if (Math.abs(p[i]) < 1e-30) {
        assertTrue(err <= 1e-30, "tanh(" + p[i] + ") = " + z[i]);    // the sign's clamp, below 1e-30
      } else if (Math.abs(p[i]) <= 9) {
        worst = Math.max(worst, err / (Math.abs(exact) * EPS));
        assertTrue(err <= 3 * EPS * Math.abs(exact), "tanh(" + p[i] + ") = " + z[i] + ", exact " + exact);
      } else {
        assertTrue(err <= EPS / 2, "tanh(" + p[i] + ") = " + z[i] + ", exact " + exact);
      }
      assertTrue(Math.signum(z[i]) == Math.signum(exact) || z[i] == 0 && Math.abs(p[i]) < 1e-30, "sign of tanh(" + p[i] + ")");
    }
    System.out.printf("fused tanh, worst relative error in ulps: %.2f%n", worst);
  }

  @Test
  void nanStaysNanAndInfinitiesSaturate() {
    float[] p = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] z = new float[3];
    FusedTanh.tanh(p, new float[3], z, 3);
    assertTrue(Float.isNaN(z[0]), "NaN");
    assertEquals(1f, z[1], 0f);
    assertEquals(-1f, z[2], 0f);
  }

  /** Forward output and input, weight and bias gradients of a tanh dense layer, on the path asked for. */
  static INDArray[] run(INDArray x, INDArray w, INDArray b, INDArray g, boolean neutral) {
    KernelPath.forceNeutral(neutral);
    try {
      long rows = x.rows(), out = w.columns();
      Dense op = new Dense(Activation.TANH);
      INDArray[] scratch = {Nd4j.create(DataType.FLOAT, rows, out), Nd4j.create(DataType.FLOAT, rows, 1)};
      op.initScratch(scratch);
      INDArray y = Nd4j.create(DataType.FLOAT, rows, out);
      INDArray gx = Nd4j.create(DataType.FLOAT, x.shape()), gw = Nd4j.create(DataType.FLOAT, w.shape());
      INDArray gb = Nd4j.create(DataType.FLOAT, b.shape());
      op.forward(new INDArray[] {x, w, b}, y, scratch);
      op.backward(new INDArray[] {x, w, b}, y, g, new INDArray[] {gx, gw, gb}, scratch);
      return new INDArray[] {y, gx, gw, gb, scratch[0]};
    } finally {
      KernelPath.forceNeutral(false);
    }
  }

  /**
   * The fused layer against the neutral one, with pre-activations of normal(0, 3): outputs to 3 ulps
   * of 1 absolute against ND4J's bias and tanh on the same product (ND4J's tanh and the fused one
   * each round), the derivative times the gradient the
   * same floats where the outputs agree, and the gemm gradients to 1e-5 relative to their largest
   * magnitude (they multiply those derivatives).
   */
  static void compare(INDArray x, INDArray w, INDArray b, long seed) {
    Random r = new Random(seed);
    for (long i = 0; i < x.rows(); i++) for (long j = 0; j < x.columns(); j++) x.putScalar(i, j, (float) r.nextGaussian());
    double sd = 3 / Math.sqrt(w.rows());
    for (long i = 0; i < w.rows(); i++) for (long j = 0; j < w.columns(); j++) w.putScalar(i, j, (float) (r.nextGaussian() * sd));
    for (long j = 0; j < b.length(); j++) b.putScalar(j, (float) r.nextGaussian());
    INDArray g = Nd4j.randn(DataType.FLOAT, x.rows(), w.columns());
    INDArray[] fused = run(x, w, b, g, false);
    INDArray[] neutral = run(x, w, b, g, true);
    // ND4J's bias and tanh on the fused path's own product: the two paths' products (cblas called
    // directly, split over two threads, against Nd4j.gemm) may sum in different orders, which OpenBLAS
    // chooses by kernel (Haswell's kernels differ by up to 10 ulps of the pre-activation here).
    INDArray pre = Nd4j.create(DataType.FLOAT, x.rows(), w.columns());
    Gemm.gemm(x, false, w, false, pre, 1.0, 0.0);
    INDArray reference = Transforms.tanh(pre.addRowVector(b), false);
    double dy = reference.sub(fused[0]).amaxNumber().doubleValue();
    assertTrue(dy <= 3 * EPS, "outputs differ by " + dy);
    // the backward pass on the same outputs gives the same floats as ND4J's three ops
    INDArray d = Nd4j.create(DataType.FLOAT, g.shape());
    FusedTanh.gradient(neutral[0], g, d);
    INDArray expected = neutral[0].mul(neutral[0]).rsubi(1.0).muli(g);
    assertEquals(0.0, expected.sub(d).amaxNumber().doubleValue(), 0.0, "derivative times gradient");
    for (int k = 1; k <= 3; k++) {
      double scale = Math.max(1e-30, neutral[k].amaxNumber().doubleValue());
      double diff = neutral[k].sub(fused[k]).amaxNumber().doubleValue();
      assertTrue(diff <= 1e-5 * scale, "gradient " + k + " differs by " + diff + " of " + scale);
    }
  }

  @Test
  void fusedLayerEqualsNeutralOnABatch() {
    compare(Nd4j.create(DataType.FLOAT, 128, 784), Nd4j.create(DataType.FLOAT, 784, 200), Nd4j.create(DataType.FLOAT, 200), 1);
  }

  @Test
  void fusedLayerEqualsNeutralOnViewsAndOddShapes() {
    compare(Nd4j.create(DataType.FLOAT, 3, 5), Nd4j.create(DataType.FLOAT, 5, 7), Nd4j.create(DataType.FLOAT, 7), 2);
    compare(Nd4j.create(DataType.FLOAT, 1, 4), Nd4j.create(DataType.FLOAT, 4, 1), Nd4j.create(DataType.FLOAT, 1), 3);
    // rows wider than a chunk, and more rows than fit a chunk
    compare(Nd4j.create(DataType.FLOAT, 3, 6), Nd4j.create(DataType.FLOAT, 6, FusedTanh.CHUNK * 2 + 17),
        Nd4j.create(DataType.FLOAT, FusedTanh.CHUNK * 2 + 17), 4);
    compare(Nd4j.create(DataType.FLOAT, 300, 9), Nd4j.create(DataType.FLOAT, 9, 33), Nd4j.create(DataType.FLOAT, 33), 5);
    // weight and bias as views into one flat vector (as the parameter store holds them), input a row slice
    INDArray flat = Nd4j.create(DataType.FLOAT, 1, 3 + 20 * 30 + 30 + 11);
    INDArray wv = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 3 + 600)).reshape('c', 20, 30);
    INDArray bv = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(603, 633));
    INDArray wide = Nd4j.create(DataType.FLOAT, 50, 20);
    compare(wide.get(NDArrayIndex.interval(7, 40), NDArrayIndex.all()), wv, bv, 6);
  }

  /** After the first calls on a layer's arrays, the kernel makes no garbage (the arrays' views are kept). */
  @Test
  void repeatedCallsOnTheSameArraysAllocateNothing() {
    INDArray x = Nd4j.randn(DataType.FLOAT, 64, 200), b = Nd4j.randn(DataType.FLOAT, 200);
    INDArray y = Nd4j.create(DataType.FLOAT, 64, 200), g = Nd4j.randn(DataType.FLOAT, 64, 200), d = Nd4j.create(DataType.FLOAT, 64, 200);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int i = 0; i < 3; i++) {
      FusedTanh.biasTanh(x, b, y);
      FusedTanh.gradient(y, g, d);
    }
    long before = mx.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100; i++) {
      FusedTanh.biasTanh(x, b, y);
      FusedTanh.gradient(y, g, d);
    }
    long bytes = mx.getThreadAllocatedBytes(id) - before;
    assertTrue(bytes < 1000, "100 forward and backward calls allocated " + bytes + " bytes");
  }
}
