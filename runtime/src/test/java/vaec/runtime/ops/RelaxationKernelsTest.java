package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.KernelPath;
import vaec.runtime.kernels.RelaxationKernels;

/**
 * The host-loop forms of the relaxation's ops ({@link RelaxationKernels}) against their ND4J forms
 * (the neutral kernel path, as on a GPU) on the same float32 inputs: the logistic draw, the
 * tempered sigmoid and both of its gradients; the conditional draw, whose softplus is a float32
 * polynomial of the host loops' own, against its closed form in float64. The inputs cover confident logits (|l| up to 120, where a plain softplus overflows), uniforms at and
 * beyond the clamp (0, 1), contiguous buffers, column slices of wider buffers (rows that are not
 * one block) and rows wider than a chunk. Where the two forms do the same float32 operations in the
 * same order, they must agree to float rounding: within 1e-6 relative (or 1e-30 absolute).
 */
class RelaxationKernelsTest {
  @AfterEach
  void neutralOff() { KernelPath.forceNeutral(false); }

  /** A rows x w float32 array: contiguous, or a column slice of a wider one. */
  static INDArray array(int rows, int w, boolean slice) {
    if (!slice) return Nd4j.zeros(DataType.FLOAT, rows, w);
    return Nd4j.zeros(DataType.FLOAT, rows, w + 7).get(NDArrayIndex.all(), NDArrayIndex.interval(3, 3 + w));
  }

  static INDArray logits(Random r, int rows, int w, boolean slice) {
    INDArray a = array(rows, w, slice);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < w; j++) {
        double x = switch ((i * w + j) % 11) {
          case 0 -> 120 * (r.nextBoolean() ? 1 : -1);
          case 1 -> 0;
          case 2 -> 30 * r.nextGaussian();
          default -> 3 * r.nextGaussian();
        };
        a.putScalar(i, j, x);
      }
    }
    return a;
  }

  static INDArray uniforms(Random r, int rows, int w, boolean slice) {
    INDArray a = array(rows, w, slice);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < w; j++) {
        double u = switch ((i * w + j) % 13) {
          case 0 -> 0;
          case 1 -> 1;
          case 2 -> 1e-9;
          default -> r.nextDouble();
        };
        a.putScalar(i, j, u);
      }
    }
    return a;
  }

  static INDArray bits(Random r, int rows, int w, boolean slice) {
    INDArray a = array(rows, w, slice);
    for (int i = 0; i < rows; i++) for (int j = 0; j < w; j++) a.putScalar(i, j, r.nextBoolean() ? 1 : 0);
    return a;
  }

  static INDArray gradient(Random r, int rows, int w, boolean slice) {
    INDArray a = array(rows, w, slice);
    for (int i = 0; i < rows; i++) for (int j = 0; j < w; j++) a.putScalar(i, j, r.nextGaussian());
    return a;
  }

  /** What one run of an op gives: its output and its gradients, copied. */
  record Run(INDArray out, INDArray gIn0, double gIn1) {}

  /**
   * Runs {@code op} forward (and backward with gradient {@code g} when it is not null) on copies
   * of {@code in}, on the direct or the neutral path; scratch buffers in the inputs' layout.
   */
  static Run run(Op op, INDArray[] in, INDArray g, boolean neutral, boolean slice, boolean wantParamGradient) {
    KernelPath.forceNeutral(neutral);
    int rows = (int) in[0].rows(), w = (int) in[0].columns();
    INDArray[] ins = new INDArray[in.length];
    for (int i = 0; i < in.length; i++) {
      ins[i] = in[i].columns() == 1 && in[i].rows() == 1 ? in[i].dup() : array(rows, w, slice).assign(in[i]);
    }
    INDArray[] scratch = new INDArray[4];
    for (int i = 0; i < scratch.length; i++) scratch[i] = array(rows, w, slice);
    INDArray out = array(rows, w, slice);
    op.forward(ins, out, scratch);
    INDArray gIn0 = null;
    double gIn1 = Double.NaN;
    if (g != null) {
      INDArray[] gIn = new INDArray[in.length];
      gIn[0] = array(rows, w, slice);
      if (wantParamGradient) gIn[1] = Nd4j.zeros(DataType.FLOAT, 1, 1);
      op.backward(ins, out, array(rows, w, slice).assign(g), gIn, scratch);
      gIn0 = gIn[0].dup();
      if (gIn[1] != null) gIn1 = gIn[1].getDouble(0);
    }
    KernelPath.forceNeutral(false);
    return new Run(out.dup(), gIn0, gIn1);
  }

  static void assertClose(String what, INDArray expected, INDArray actual) {
    assertEquals(expected.rows(), actual.rows());
    int checked = 0;
    for (int i = 0; i < expected.rows(); i++) {
      for (int j = 0; j < expected.columns(); j++) {
        double e = expected.getDouble(i, j), a = actual.getDouble(i, j);
        assertTrue(Double.isFinite(e), what + " neutral value not finite at " + i + "," + j);
        assertTrue(Math.abs(a - e) <= 1e-6 * Math.abs(e) + 1e-30, what + " at " + i + "," + j + ": neutral " + e + ", direct " + a);
        checked++;
      }
    }
    assertTrue(checked > 0);
  }

  static void bothPaths(String name, Op op, Function<Random, INDArray[]> inputs, boolean backward, boolean paramGradient) {
    for (int[] shape : new int[][] {{64, 200}, {3, 5000}, {1, 7}}) {
      for (boolean slice : new boolean[] {false, true}) {
        Random r = new Random(shape[0] * 31L + shape[1] + (slice ? 1 : 0));
        INDArray[] in = inputs.apply(new Random(r.nextLong()));
        in = resize(in, shape[0], shape[1], slice, r);
        INDArray g = backward ? gradient(r, shape[0], shape[1], slice) : null;
        assertTrue(RelaxationKernels.applies(in[0]), "the direct path applies to the test's arrays: " + in[0].shapeInfoToString()
            + " direct " + KernelPath.direct());
        Run direct = run(op, in, g, false, slice, paramGradient);
        Run neutral = run(op, in, g, true, slice, paramGradient);
        String at = name + " " + shape[0] + "x" + shape[1] + (slice ? " (column slice)" : "");
        assertClose(at + " value", neutral.out(), direct.out());
        if (backward) assertClose(at + " gradient", neutral.gIn0(), direct.gIn0());
        if (paramGradient) {
          assertEquals(neutral.gIn1(), direct.gIn1(), 1e-5 * Math.abs(neutral.gIn1()), at + " temperature gradient");
        }
      }
    }
  }

  /** The generator gives inputs of any shape; this makes them at the wanted one. */
  private static INDArray[] resize(INDArray[] kinds, int rows, int w, boolean slice, Random r) {
    INDArray[] out = new INDArray[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      double tag = kinds[i].getDouble(0, 0);
      out[i] = tag == 0 ? logits(r, rows, w, slice) : tag == 1 ? uniforms(r, rows, w, slice) : tag == 2 ? bits(r, rows, w, slice)
          : Nd4j.scalar(DataType.FLOAT, (float) (tag - 10)).reshape(1, 1);
    }
    return out;
  }

  /** A 1 x 1 tag naming an input's kind for {@link #resize}: 0 logits, 1 uniforms, 2 bits, 10 + x the scalar x. */
  private static INDArray tag(double t) { return Nd4j.scalar(DataType.FLOAT, (float) t).reshape(1, 1); }

  @Test
  void theHostLoopsTakeOnlyFloat32ArraysOfOneShape() {
    assertTrue(RelaxationKernels.applies(Nd4j.zeros(DataType.FLOAT, 4, 3), Nd4j.zeros(DataType.FLOAT, 4, 3), null));
    // a row ND4J would broadcast, and float64, keep the ND4J forms
    assertTrue(!RelaxationKernels.applies(Nd4j.zeros(DataType.FLOAT, 4, 3), Nd4j.zeros(DataType.FLOAT, 1, 3)));
    assertTrue(!RelaxationKernels.applies(Nd4j.zeros(DataType.DOUBLE, 4, 3)));
    KernelPath.forceNeutral(true);
    assertTrue(!RelaxationKernels.applies(Nd4j.zeros(DataType.FLOAT, 4, 3)));
  }

  @Test
  void logisticDrawMatchesTheNd4jForm() {
    bothPaths("logistic_rsample", new LogisticRsample(), r -> new INDArray[] {tag(0), tag(1)}, true, false);
  }

  /**
   * The conditional draw and its logit gradient against their closed forms in float64 from the same
   * float32 inputs: z~ = s softplus(a), a = logit(uc) + softplus(s l), dz~/dl = sigmoid(a) sigmoid(s l).
   * Its softplus is the host loops' own float32 polynomial (ND4J's, log(1 + exp(x)) in float32, is
   * 0 below x = -17 where the true value is above 4e-8), so the reference is float64, within 1e-5
   * relative: a carries float32 rounding of logit(uc) and softplus(s l), up to about 1e-7 of their
   * size, which becomes a relative error of z~ where a is very negative (z~ about e^a).
   */
  @Test
  void conditionalDrawAndItsGradientMatchTheirClosedForms() {
    for (int[] shape : new int[][] {{64, 200}, {3, 5000}, {1, 7}}) {
      for (boolean slice : new boolean[] {false, true}) {
        Random r = new Random(shape[0] * 31L + shape[1] + (slice ? 1 : 0));
        int rows = shape[0], w = shape[1];
        INDArray l = logits(r, rows, w, slice), b = bits(r, rows, w, slice), v = uniforms(r, rows, w, slice);
        INDArray g = gradient(r, rows, w, slice);
        assertTrue(RelaxationKernels.applies(l, b, v, g));
        Run direct = run(new ConditionalLogistic(), new INDArray[] {l, b, v}, g, false, slice, false);
        int checked = 0;
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < w; j++) {
            double si = 2 * b.getDouble(i, j) - 1;
            double uc = Math.min(Math.max(v.getDouble(i, j), (float) 1e-7), (float) (1 - 1e-7));
            double t = si * l.getDouble(i, j);
            double a = Math.log(uc / (1 - uc)) + softplus(t);
            double z = si * softplus(a);
            double d = sigmoid(a) * sigmoid(t) * g.getDouble(i, j);
            String at = rows + "x" + w + (slice ? " (column slice)" : "") + " at " + i + "," + j + " (logit " + l.getDouble(i, j)
                + ", b " + b.getDouble(i, j) + ", v " + v.getDouble(i, j) + ")";
            assertEquals(z, direct.out().getDouble(i, j), 1e-5 * Math.abs(z) + 1e-30, "z~ " + at);
            assertEquals(d, direct.gIn0().getDouble(i, j), 1e-5 * Math.abs(d) + 1e-30, "dz~/dlogits " + at);
            checked++;
          }
        }
        assertEquals((long) rows * w, checked);
      }
    }
  }

  static double softplus(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }

  static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }

  @Test
  void temperedSigmoidAndBothGradientsMatchTheNd4jForm() {
    for (double logLambda : new double[] {Math.log(0.5), Math.log(2.3)}) {
      bothPaths("tempered_sigmoid", new TemperedSigmoid(), r -> new INDArray[] {tag(0), tag(10 + logLambda)}, true, true);
    }
  }
  /**
   * The draws from the logistic noise that LogisticNoise makes of u (made once a step and shared by
   * REBAR's draws at the logits and at the probes) are the draws from u, bit for bit, with the
   * same gradients: on the direct path and on the neutral one, contiguous and column slices, and
   * with uniforms at and past the clamp.
   */
  @Test
  void drawsFromSharedNoiseAreTheDrawsFromTheUniforms() {
    for (boolean neutral : new boolean[] {false, true}) {
      for (int[] shape : new int[][] {{64, 200}, {3, 5000}, {1, 7}}) {
        for (boolean slice : new boolean[] {false, true}) {
          Random r = new Random(shape[0] * 17L + shape[1] + (slice ? 1 : 0));
          int rows = shape[0], w = shape[1];
          INDArray l = logits(r, rows, w, slice), b = bits(r, rows, w, slice), u = uniforms(r, rows, w, slice);
          INDArray g = gradient(r, rows, w, slice);
          INDArray noise = run(new LogisticNoise(), new INDArray[] {u}, null, neutral, slice, false).out();
          String at = (neutral ? "neutral " : "direct ") + rows + "x" + w + (slice ? " (column slice)" : "");
          Run fromU = run(new LogisticRsample(), new INDArray[] {l, u}, g, neutral, slice, false);
          Run fromNoise = run(new LogisticRsample(true), new INDArray[] {l, noise}, g, neutral, slice, false);
          assertSameFloats("logistic draw " + at, fromU.out(), fromNoise.out());
          assertSameFloats("logistic draw's gradient " + at, fromU.gIn0(), fromNoise.gIn0());
          fromU = run(new ConditionalLogistic(), new INDArray[] {l, b, u}, g, neutral, slice, false);
          fromNoise = run(new ConditionalLogistic(true), new INDArray[] {l, b, noise}, g, neutral, slice, false);
          assertSameFloats("conditional draw " + at, fromU.out(), fromNoise.out());
          assertSameFloats("conditional draw's gradient " + at, fromU.gIn0(), fromNoise.gIn0());
          assertTrue(fromU.out().sumNumber().doubleValue() != 0, "the draws are not all zero " + at);
        }
      }
    }
  }

  /** The same float32 values, bit for bit (INDArray's equals allows a tolerance). */
  static void assertSameFloats(String what, INDArray expected, INDArray actual) {
    assertEquals(expected.rows(), actual.rows(), what);
    assertEquals(expected.columns(), actual.columns(), what);
    for (int i = 0; i < expected.rows(); i++) {
      for (int j = 0; j < expected.columns(); j++) {
        float e = expected.getFloat(i, j), a = actual.getFloat(i, j);
        assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(a), what + " at " + i + "," + j + ": " + e + " against " + a);
      }
    }
  }
}
