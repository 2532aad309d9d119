package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.ops.Dense;

/**
 * The fused dense kernels (bias + ReLU forward, ReLU's gradient backward) give the
 * floats of the ND4J ops they replace (broadcast addition, RectifiedLinear; Step times the
 * gradient), bit for bit, on values that include -0, +-0 sums, NaN, infinities, subnormals and
 * values near the rounding of the sum; on row slices, a bias inside a flat vector, widths with a
 * tail shorter than a vector, and through the dense layer against its neutral path.
 */
class FusedDenseTest {
  private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
      -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, -1e-30f, 1f, -1f, 3e38f, -3e38f};

  private static INDArray values(Random r, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(5) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) (r.nextGaussian() * 3);
    return Nd4j.create(v, new long[] {rows, cols}, DataType.FLOAT);
  }

  private static void assertSameBits(INDArray expected, INDArray actual, String what) {
    float[] e = expected.dup().data().asFloat(), a = actual.dup().data().asFloat();
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + " at " + i + ": " + e[i] + " vs " + a[i]);
    }
  }

  @Test
  void runsWithTheVectorApiOnJava17() {
    assertEquals(VectorApi.expected(), VectorApi.ON, "the Vector API kernels are there exactly where expected");
    if (VectorApi.ON) assertTrue(FusedDense.appliesForward(Nd4j.create(DataType.FLOAT, 3), Nd4j.create(DataType.FLOAT, 2, 3), Nd4j.create(DataType.FLOAT, 2, 3)));
    assertTrue(!FusedDense.appliesForward(Nd4j.create(DataType.DOUBLE, 3), Nd4j.create(DataType.FLOAT, 2, 3), Nd4j.create(DataType.FLOAT, 2, 3)),
        "a double bias takes ND4J's ops");
    assertTrue(!FusedDense.appliesBackward(Nd4j.create(DataType.FLOAT, 2, 3), Nd4j.create(DataType.FLOAT, 2, 4), Nd4j.create(DataType.FLOAT, 2, 3)),
        "shapes that differ take ND4J's ops");
  }

  @Test
  void biasAndReluAreNd4jsFloats() {
    if (!VectorApi.ON) return;
    Random r = new Random(7);
    for (int[] shape : new int[][] {{64, 400}, {37, 784}, {5, 3}, {9, 17}, {1, 1}, {16, 33}}) {
      int rows = shape[0], cols = shape[1];
      INDArray x = values(r, rows, cols);
      INDArray flat = values(r, 1, cols + 5);
      INDArray b = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 3 + cols));   // a bias inside a flat vector
      INDArray expected = x.ulike();
      Kernels.addRow(x, b, expected);
      Kernels.relu(expected, expected);
      INDArray z = x.ulike();
      assertTrue(FusedDense.appliesForward(b, x, z));
      FusedDense.biasRelu(x, b, z);
      assertSameBits(expected, z, "bias + relu " + rows + "x" + cols);
      INDArray inPlace = x.dup();
      FusedDense.biasRelu(inPlace, b, inPlace);
      assertSameBits(expected, inPlace, "in place, " + rows + "x" + cols);
    }
  }

  @Test
  void reluGradientIsStepTimesGradient() {
    if (!VectorApi.ON) return;
    Random r = new Random(11);
    for (int[] shape : new int[][] {{64, 400}, {37, 784}, {5, 3}, {9, 17}, {1, 1}}) {
      int rows = shape[0], cols = shape[1];
      INDArray y = values(r, rows, cols), g = values(r, rows, cols);
      INDArray expected = y.ulike();
      Kernels.step(y, expected);
      Kernels.mul(expected, g, expected);
      INDArray d = y.ulike();
      assertTrue(FusedDense.appliesBackward(y, g, d));
      FusedDense.reluGradient(y, g, d);
      assertSameBits(expected, d, "relu gradient " + rows + "x" + cols);
      INDArray gInPlace = g.dup();
      FusedDense.reluGradient(y, gInPlace, gInPlace);
      assertSameBits(expected, gInPlace, "in place " + rows + "x" + cols);
    }
  }

  /** Row slices of wider buffers (a row stride larger than the width) on every side. */
  @Test
  void rowSlicesOfWiderBuffers() {
    if (!VectorApi.ON) return;
    Random r = new Random(3);
    INDArray wide = values(r, 20, 50), wideG = values(r, 20, 50), out = Nd4j.zeros(DataType.FLOAT, 20, 50);
    INDArray x = wide.get(NDArrayIndex.interval(2, 18), NDArrayIndex.interval(5, 38));
    INDArray g = wideG.get(NDArrayIndex.interval(1, 17), NDArrayIndex.interval(0, 33));
    INDArray z = out.get(NDArrayIndex.interval(4, 20), NDArrayIndex.interval(10, 43));
    INDArray b = values(r, 1, 33);
    INDArray expected = x.ulike();
    Kernels.addRow(x, b, expected);
    Kernels.relu(expected, expected);
    FusedDense.biasRelu(x, b, z);
    assertSameBits(expected, z, "bias + relu on views");
    assertEquals(0.0, out.get(NDArrayIndex.interval(0, 4), NDArrayIndex.all()).sumNumber().doubleValue(), 0.0, "rows outside the view untouched");
    INDArray expectedD = x.ulike();
    Kernels.step(x, expectedD);
    Kernels.mul(expectedD, g, expectedD);
    FusedDense.reluGradient(x, g, z);
    assertSameBits(expectedD, z, "relu gradient on views");
  }

  /** A ReLU layer (fused) and a linear layer (ND4J's ops either way), forward and backward, against the neutral path. */
  @Test
  void denseLayerMatchesItsNeutralPath() {
    Random r = new Random(5);
    int n = 70, in = 30, out = 45;
    INDArray x = Nd4j.randn(DataType.FLOAT, n, in), w = Nd4j.randn(DataType.FLOAT, in, out), b = Nd4j.randn(DataType.FLOAT, out);
    INDArray g = Nd4j.randn(DataType.FLOAT, n, out);
    for (Activation act : new Activation[] {Activation.RELU, Activation.IDENTITY}) {
      INDArray[][] results = new INDArray[2][];
      for (int pass = 0; pass < 2; pass++) {
        KernelPath.forceNeutral(pass == 1);
        try {
          Dense op = new Dense(act);
          INDArray[] scratch = {Nd4j.create(DataType.FLOAT, n, out), Nd4j.create(DataType.FLOAT, n, 1)};
          op.initScratch(scratch);
          INDArray y = Nd4j.create(DataType.FLOAT, n, out);
          INDArray gx = Nd4j.create(DataType.FLOAT, n, in), gw = Nd4j.create(DataType.FLOAT, in, out), gb = Nd4j.create(DataType.FLOAT, 1, out);
          op.forward(new INDArray[] {x, w, b}, y, scratch);
          op.backward(new INDArray[] {x, w, b}, y, g.dup(), new INDArray[] {gx, gw, gb}, scratch);
          results[pass] = new INDArray[] {y, gx, gw, gb};
        } finally {
          KernelPath.forceNeutral(false);
        }
      }
      String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
      // the output is the same floats (gemm, then the bias and ReLU); the gradients agree to rounding (the neutral gemms are ND4J's)
      assertSameBits(results[1][0], results[0][0], act + " " + names[0]);
      for (int i = 1; i < 4; i++) {
        INDArray e = results[1][i], a = results[0][i];
        double scale = Math.max(1e-30, e.amaxNumber().doubleValue());
        assertTrue(e.sub(a).amaxNumber().doubleValue() <= 1e-5 * scale, act + " " + names[i]);
      }
    }
  }
}
