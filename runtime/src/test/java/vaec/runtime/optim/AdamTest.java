package vaec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Adam against a plain double-precision transcription of Kingma and Ba's Algorithm 1. */
class AdamTest {
  static final int N = 1000;

  @Test
  void matchesTheTextbookUpdateOverSeveralSteps() {
    textbook();
  }

  /** The backend-neutral path (ND4J's fused AdamUpdater op, what a GPU runs) against the same transcription. */
  @Test
  void neutralPathMatchesTheTextbookUpdate() {
    long before = vaec.runtime.kernels.KernelPath.neutralUses(vaec.runtime.kernels.KernelPath.Kernel.ADAM);
    vaec.runtime.kernels.KernelPath.forceNeutral(true);
    try {
      textbook();
    } finally {
      vaec.runtime.kernels.KernelPath.forceNeutral(false);
    }
    assertEquals(before + 5, vaec.runtime.kernels.KernelPath.neutralUses(vaec.runtime.kernels.KernelPath.Kernel.ADAM));
  }

  /** Optimizer state saved by one path continues on the other: the checkpoint of a CPU run resumes on a GPU. */
  @Test
  void stateMovesBetweenTheDirectAndTheNeutralPath() {
    Random r = new Random(5);
    float[] p0 = new float[N];
    for (int i = 0; i < N; i++) p0[i] = (float) r.nextGaussian();
    float[][] grads = new float[6][N];
    for (float[] g : grads) for (int i = 0; i < N; i++) g[i] = (float) (r.nextGaussian() * (1 + i % 5));
    INDArray a = Nd4j.createFromArray(p0.clone());
    Adam one = new Adam(N, DataType.FLOAT, 1e-2, 0.9, 0.999, 1e-8);
    for (float[] g : grads) one.step(a, Nd4j.createFromArray(g));
    INDArray b = Nd4j.createFromArray(p0.clone());
    Adam first = new Adam(N, DataType.FLOAT, 1e-2, 0.9, 0.999, 1e-8);
    for (int s = 0; s < 3; s++) first.step(b, Nd4j.createFromArray(grads[s]));
    vaec.runtime.kernels.KernelPath.forceNeutral(true);
    try {
      Adam second = new Adam(N, DataType.FLOAT, 1e-2, 0.9, 0.999, 1e-8);
      second.loadState(first.state());
      for (int s = 3; s < 6; s++) second.step(b, Nd4j.createFromArray(grads[s]));
      assertEquals(6, second.steps());
    } finally {
      vaec.runtime.kernels.KernelPath.forceNeutral(false);
    }
    // Gradients of size ~1 (never near zero): the two paths' rounding differs by ~1e-7 relative.
    float[] x = a.toFloatVector(), y = b.toFloatVector();
    for (int i = 0; i < N; i++) assertEquals(x[i], y[i], 1e-5, "parameter " + i);
  }

  private static void textbook() {
    Random r = new Random(7);
    float[] p0 = new float[N];
    for (int i = 0; i < N; i++) p0[i] = (float) r.nextGaussian();
    INDArray params = Nd4j.createFromArray(p0.clone());
    Adam adam = new Adam(N, DataType.FLOAT, 0.01, 0.9, 0.999, 1e-8);
    double[] p = new double[N], m = new double[N], v = new double[N];
    for (int i = 0; i < N; i++) p[i] = p0[i];
    for (int t = 1; t <= 5; t++) {
      float[] g = new float[N];
      for (int i = 0; i < N; i++) g[i] = (float) (r.nextGaussian() * (1 + i % 7));
      adam.step(params, Nd4j.createFromArray(g));
      for (int i = 0; i < N; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * (double) g[i];
        double mh = m[i] / (1 - Math.pow(0.9, t));
        double vh = v[i] / (1 - Math.pow(0.999, t));
        p[i] -= 0.01 * mh / (Math.sqrt(vh) + 1e-8);
      }
    }
    float[] got = params.toFloatVector();
    // float32 arithmetic against float64: agreement to 1e-5 absolute on steps of size ~0.01.
    for (int i = 0; i < N; i++) assertEquals(p[i], got[i], 1e-5, "parameter " + i);
    assertEquals(5, adam.steps());
  }

  /** Two steps on one parameter, gradients 0.5 then -1, lr 0.1. */
  static float twoSteps(double beta1, double beta2, double eps) {
    INDArray p = Nd4j.createFromArray(new float[] {1f});
    Adam adam = new Adam(1, DataType.FLOAT, 0.1, beta1, beta2, eps);
    adam.step(p, Nd4j.createFromArray(new float[] {0.5f}));
    adam.step(p, Nd4j.createFromArray(new float[] {-1f}));
    return p.getFloat(0);
  }

  @Test
  void beta1IsUsedAsByHand() {
    // beta1 = 0.5, beta2 = 0.999, eps = 1e-8. Step 1 (g = 0.5): m = 0.25, v = 0.00025,
    // m/(1-0.5) = 0.5, v/(1-0.999) = 0.25, p = 1 - 0.1 * 0.5 / 0.5 = 0.9.
    // Step 2 (g = -1): m = 0.5 * 0.25 - 0.5 = -0.375, v = 0.999 * 0.00025 + 0.001 = 0.00124975,
    // m^ = -0.375 / (1 - 0.25) = -0.5, v^ = 0.00124975 / (1 - 0.998001) = 0.6251876,
    // p = 0.9 + 0.1 * 0.5 / sqrt(0.6251876) = 0.9632361.
    assertEquals(0.9632361, twoSteps(0.5, 0.999, 1e-8), 1e-6);
    // The defaults give another answer: m = 0.9 * 0.05 - 0.1 = -0.055, m^ = -0.055 / 0.19, p = 0.9366104.
    assertEquals(0.9366104, twoSteps(0.9, 0.999, 1e-8), 1e-6);
  }

  @Test
  void beta2AndEpsAreUsedAsByHand() {
    // beta2 = 0.5: v = 0.125, then 0.5625; v^ = 0.5625 / 0.75 = 0.75; m^ = -0.055 / 0.19;
    // p = 0.9 + 0.1 * 0.2894737 / sqrt(0.75) = 0.9334255.
    assertEquals(0.9334255, twoSteps(0.9, 0.5, 1e-8), 1e-6);
    // eps = 1, one step: p = 1 - 0.1 * 0.5 / (0.5 + 1) = 0.9666667.
    INDArray p = Nd4j.createFromArray(new float[] {1f});
    new Adam(1, DataType.FLOAT, 0.1, 0.9, 0.999, 1.0).step(p, Nd4j.createFromArray(new float[] {0.5f}));
    assertEquals(0.9666667, p.getFloat(0), 1e-6);
  }

  @Test
  void nonFiniteGradientIsRefusedAndChangesNothing() {
    float[] p0 = {1f, 2f, 3f};
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      INDArray params = Nd4j.createFromArray(p0.clone());
      Adam adam = new Adam(3, DataType.FLOAT, 0.1, 0.9, 0.999, 1e-8);
      assertEquals(false, adam.step(params, Nd4j.createFromArray(new float[] {0.5f, bad, -1f})));
      assertArrayEquals(p0, params.toFloatVector());
      assertEquals(0, adam.steps());
      assertEquals(true, adam.step(params, Nd4j.createFromArray(new float[] {0.5f, Float.MAX_VALUE, -1f})));
    }
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    Random r = new Random(3);
    float[] p0 = new float[N];
    for (int i = 0; i < N; i++) p0[i] = (float) r.nextGaussian();
    float[][] grads = new float[6][N];
    for (float[] g : grads) for (int i = 0; i < N; i++) g[i] = (float) r.nextGaussian();

    INDArray a = Nd4j.createFromArray(p0.clone());
    Adam one = new Adam(N, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    for (float[] g : grads) one.step(a, Nd4j.createFromArray(g));

    INDArray b = Nd4j.createFromArray(p0.clone());
    Adam first = new Adam(N, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    for (int s = 0; s < 3; s++) first.step(b, Nd4j.createFromArray(grads[s]));
    Adam second = new Adam(N, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    second.loadState(first.state());
    for (int s = 3; s < 6; s++) second.step(b, Nd4j.createFromArray(grads[s]));
    assertArrayEquals(a.toFloatVector(), b.toFloatVector());
  }

  /**
   * The in-place Vector API path and the heap-copy path give the same floats, bit for bit, over a
   * vector long enough to run in two halves with a tail shorter than a vector's lanes (2 x 100,003),
   * over several steps with gradients spanning twelve orders of magnitude.
   */
  @Test
  void inPlaceVectorPathGivesTheHeapPathsFloats() {
    assertEquals(vaec.runtime.kernels.VectorApi.expected(), Adam.VECTOR, "the tests run with --add-modules jdk.incubator.vector (the root pom's argLine)");
    int n = 200_006;
    Random r = new Random(11);
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) p0[i] = (float) r.nextGaussian();
    INDArray a = Nd4j.createFromArray(p0.clone());
    INDArray b = Nd4j.createFromArray(p0.clone());
    Adam inPlace = new Adam(n, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    Adam copies = inPlace.withoutVectorApi();
    INDArray g = Nd4j.createUninitialized(DataType.FLOAT, n);   // one gradient buffer, rewritten each step, as the store does
    for (int s = 0; s < 4; s++) {
      float[] gs = new float[n];
      for (int i = 0; i < n; i++) gs[i] = (float) (r.nextGaussian() * Math.pow(10, -(i % 13)));
      g.assign(Nd4j.createFromArray(gs));
      assertTrue(inPlace.step(a, g));
      assertTrue(copies.step(b, g));
    }
    assertArrayEquals(b.toFloatVector(), a.toFloatVector());
    assertArrayEquals(copies.state().get("m"), inPlace.state().get("m"));
    assertArrayEquals(copies.state().get("v"), inPlace.state().get("v"));
  }

  /** A NaN or infinity anywhere (first half, second half, the scalar tail) refuses the whole step on the in-place path. */
  @Test
  void inPlaceVectorPathRefusesANonFiniteGradientAnywhere() {
    int n = 131_075;
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) p0[i] = i * 1e-3f;
    for (int at : new int[] {0, 70_000, n - 1}) {
      for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
        INDArray params = Nd4j.createFromArray(p0.clone());
        float[] gs = new float[n];
        java.util.Arrays.fill(gs, 0.25f);
        gs[at] = bad;
        Adam adam = new Adam(n, DataType.FLOAT, 0.1, 0.9, 0.999, 1e-8);
        assertEquals(false, adam.step(params, Nd4j.createFromArray(gs)), "bad gradient at " + at);
        assertArrayEquals(p0, params.toFloatVector());
        gs[at] = -Float.MAX_VALUE;
        assertEquals(true, adam.step(params, Nd4j.createFromArray(gs)));
        assertEquals(1, adam.steps());
      }
    }
  }

  /**
   * Moments that decay (a gradient that is 0 after the first steps, as on a pixel that is almost
   * always 0) and gradients far below float's normal range never leave a subnormal float in the
   * state, and the parameters still follow the textbook update in double precision: to 1e-7 of the
   * step size here, the flushed contributions being below 2^-24 of it.
   */
  @Test
  void momentsNeverGoSubnormalAndTheUpdateStaysTheTextbooks() {
    float[] g = {0.3f, -2e-3f, 1e-19f, -3e-25f, 4e-38f, 0.5f};   // the last one keeps a normal gradient throughout
    int n = g.length;
    float[] p0 = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f};
    for (boolean vector : new boolean[] {true, false}) {
      INDArray params = Nd4j.createFromArray(p0.clone());
      Adam adam = new Adam(n, DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
      if (!vector) adam = adam.withoutVectorApi();
      double[] p = new double[n], m = new double[n], v = new double[n];
      for (int i = 0; i < n; i++) p[i] = p0[i];
      for (int t = 1; t <= 1500; t++) {
        float[] gt = new float[n];
        for (int i = 0; i < n; i++) gt[i] = t <= 3 || i >= 2 ? g[i] : 0f;   // the first two decay from step 4 on
        assertTrue(adam.step(params, Nd4j.createFromArray(gt)));
        for (int i = 0; i < n; i++) {
          m[i] = 0.9 * m[i] + 0.1 * gt[i];
          v[i] = 0.999 * v[i] + 0.001 * gt[i] * (double) gt[i];
          p[i] -= 1e-3 * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
        }
        {   // every step: a decaying moment spends only about 25 steps between 2^-116 and 2^-120
          java.util.Map<String, float[]> st = adam.state();
          for (String k : new String[] {"m", "v"}) {
            for (float x : st.get(k)) {
              assertTrue(x == 0 || Math.abs(x) >= Float.MIN_NORMAL, k + " = " + x + " is subnormal at step " + t);
            }
          }
          // m times the step size (about 1e-3 here) must be a normal float too
          for (float x : st.get("m")) assertTrue(x == 0 || Math.abs(x) * 1e-3f >= Float.MIN_NORMAL, "m = " + x + " at step " + t);
        }
      }
      float[] got = params.toFloatVector();
      // float32 against float64 after 1500 steps of about 1e-3: 2e-5 absolute, as in the textbook test.
      for (int i = 0; i < n; i++) assertEquals(p[i], got[i], 2e-5, "parameter " + i + (vector ? " (in place)" : " (heap copies)"));
      // The decayed moments reached 0 (0.9^1500 is far below 2^-120), without a subnormal on the way.
      assertEquals(0f, adam.state().get("m")[0]);
    }
  }
}
