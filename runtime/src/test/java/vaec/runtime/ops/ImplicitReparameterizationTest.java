package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.ImplicitGamma;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * Implicit reparameterization (Figurnov et al. 2018) for Gamma, Beta and Dirichlet: the implicit
 * derivative against a finite difference of the inverse CDF, and the Monte Carlo gradient of
 * E[f(z)] against the closed-form derivative of the exact expectation.
 */
class ImplicitReparameterizationTest {
  /** x with P(a, x) = p, by bisection on log x (P is increasing in x). */
  static double inverseP(double a, double p) {
    double lo = -200;
    double hi = 10;
    while (ImplicitGamma.regularizedLower(a, Math.exp(hi)) < p) hi += 5;
    for (int i = 0; i < 200; i++) {
      double mid = 0.5 * (lo + hi);
      if (ImplicitGamma.regularizedLower(a, Math.exp(mid)) < p) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
  }

  @Test
  void implicitDerivativeMatchesTheInverseCdfsFiniteDifference() {
    // Points in both regimes (series below alpha + 1, continued fraction above), shapes 0.05 to 200.
    double[] alphas = {0.05, 0.3, 1.0, 2.5, 9.0, 60.0, 200.0};
    double[] levels = {0.02, 0.3, 0.5, 0.8, 0.995};
    for (double a : alphas) {
      for (double p : levels) {
        double logX = inverseP(a, p);
        double h = 1e-4 * a;
        double numeric = (inverseP(a + h, p) - inverseP(a - h, p)) / (2 * h);
        double implicit = ImplicitGamma.dLogXdAlpha(a, logX);
        // Tolerance: 1e-4 relative (bisection is exact to 1e-15 in log x; the step's error is O(h^2)).
        assertEquals(numeric, implicit, 1e-4 * Math.abs(numeric) + 1e-6, "alpha " + a + ", P " + p + ", x " + Math.exp(logX));
      }
    }
  }

  static INDArray full(int n, double v) { return Nd4j.valueArrayOf(new long[] {n, 1}, v, DataType.DOUBLE); }

  /** Per-sample gradients of sum_j g_j z_j through the op, for n draws with fixed-seed uniforms. */
  static double[][] gradients(Op op, int n, double p, double q, java.util.function.DoubleUnaryOperator dfdz) {
    INDArray u = Nd4j.createFromArray(new Random(11).doubles(n).toArray()).reshape(n, 1);
    INDArray[] in = {full(n, p), full(n, q), u};
    INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
    INDArray[] s = {Nd4j.create(DataType.DOUBLE, n, 1), Nd4j.create(DataType.DOUBLE, n, 1)};
    op.forward(in, out, s);
    double[] z = HostMatrix.flat(out);
    double[] g = new double[n];
    for (int i = 0; i < n; i++) g[i] = dfdz.applyAsDouble(z[i]);
    INDArray[] gIn = {Nd4j.create(DataType.DOUBLE, n, 1), Nd4j.create(DataType.DOUBLE, n, 1), null};
    op.backward(in, out, Nd4j.createFromArray(g).reshape(n, 1), gIn, s);
    return new double[][] {HostMatrix.flat(gIn[0]), HostMatrix.flat(gIn[1])};
  }

  /** Asserts the sample mean is within 5 standard errors of {@code expected}. */
  static void assertMean(double expected, double[] v, String what) {
    double m = 0;
    for (double x : v) m += x;
    m /= v.length;
    double var = 0;
    for (double x : v) var += (x - m) * (x - m);
    double se = Math.sqrt(var / (v.length - 1) / v.length);
    assertTrue(Math.abs(m - expected) <= 5 * se + 1e-9, what + ": mean " + m + " vs exact " + expected + " (se " + se + ")");
    assertTrue(se < 0.05 * Math.abs(expected) + 1e-3, what + ": too few samples for a sharp test, se " + se);
  }

  static double trigamma(double a) { return (SpecialFunctions.digamma(a + 1e-5) - SpecialFunctions.digamma(a - 1e-5)) / 2e-5; }

  @Test
  void gammaGradientsOfExpectationsMatchClosedForms() {
    Op op = new ImplicitGammaRsample(GammaBetaSample.Kind.GAMMA);
    int n = 40_000;
    for (double[] c : new double[][] {{0.3, 2.0}, {1.0, 1.0}, {4.5, 0.5}, {50, 3}}) {
      double a = c[0];
      double b = c[1];
      // E[z] = a / b: d/da = 1 / b, d/db = -a / b^2.
      double[][] g = gradients(op, n, a, b, z -> 1);
      assertMean(1 / b, g[0], "dE[z]/dalpha at " + a + ", " + b);
      assertMean(-a / (b * b), g[1], "dE[z]/drate");
      // E[log z] = psi(a) - log b: d/da = trigamma(a), d/db = -1/b.
      g = gradients(op, n, a, b, z -> 1 / z);
      assertMean(trigamma(a), g[0], "dE[log z]/dalpha at " + a + ", " + b);
      assertMean(-1 / b, g[1], "dE[log z]/drate");
      // E[z^2] = a (a + 1) / b^2: d/da = (2a + 1) / b^2.
      g = gradients(op, n, a, b, z -> 2 * z);
      assertMean((2 * a + 1) / (b * b), g[0], "dE[z^2]/dalpha at " + a + ", " + b);
    }
  }

  @Test
  void betaGradientsOfExpectationsMatchClosedForms() {
    Op op = new ImplicitGammaRsample(GammaBetaSample.Kind.BETA);
    int n = 40_000;
    for (double[] c : new double[][] {{0.5, 0.5}, {2, 5}, {8, 1.5}}) {
      double a = c[0];
      double b = c[1];
      double s = a + b;
      // E[z] = a / (a + b): d/da = b / s^2, d/db = -a / s^2.
      double[][] g = gradients(op, n, a, b, z -> 1);
      assertMean(b / (s * s), g[0], "dE[z]/da at " + a + ", " + b);
      assertMean(-a / (s * s), g[1], "dE[z]/db at " + a + ", " + b);
      // E[log z] = psi(a) - psi(a + b): d/da = trigamma(a) - trigamma(s), d/db = -trigamma(s).
      g = gradients(op, n, a, b, z -> 1 / z);
      assertMean(trigamma(a) - trigamma(s), g[0], "dE[log z]/da at " + a + ", " + b);
      assertMean(-trigamma(s), g[1], "dE[log z]/db at " + a + ", " + b);
    }
  }

  @Test
  void dirichletGradientOfTheMeanMatchesTheClosedForm() {
    double[] alpha = {0.7, 2.0, 4.0};
    int n = 40_000;
    int k = alpha.length;
    double a0 = 0.7 + 2.0 + 4.0;
    INDArray a = Nd4j.create(DataType.DOUBLE, n, k).addiRowVector(Nd4j.createFromArray(alpha));
    INDArray u = Nd4j.createFromArray(new Random(5).doubles((long) n * k).toArray()).reshape(n, k);
    DirichletRsample op = new DirichletRsample();
    INDArray out = Nd4j.create(DataType.DOUBLE, n, k);
    INDArray[] s = {Nd4j.create(DataType.DOUBLE, n, k)};
    op.forward(new INDArray[] {a, u}, out, s);
    double[][] z = OpRunner.rows(out);
    for (int i = 0; i < n; i++) assertEquals(1.0, z[i][0] + z[i][1] + z[i][2], 1e-12);
    // f(z) = z_0: dE[z_0]/dalpha_j = (delta_0j a0 - alpha_0) / a0^2.
    INDArray g = Nd4j.create(DataType.DOUBLE, n, k);
    g.getColumn(0).assign(1);
    INDArray[] gIn = {Nd4j.create(DataType.DOUBLE, n, k), null};
    op.backward(new INDArray[] {a, u}, out, g, gIn, s);
    double[][] ga = OpRunner.rows(gIn[0]);
    for (int j = 0; j < k; j++) {
      double[] col = new double[n];
      for (int i = 0; i < n; i++) col[i] = ga[i][j];
      assertMean(((j == 0 ? a0 : 0) - alpha[0]) / (a0 * a0), col, "dE[z_0]/dalpha_" + j);
    }
  }

  static double value(Op op, INDArray... in) {
    INDArray out = Nd4j.create(DataType.DOUBLE, 1, 1);
    op.forward(in, out, new INDArray[0]);
    return out.getDouble(0);
  }

  @Test
  void dirichletDensityAndNormalizeMatchFiniteDifferences() {
    double[] x = {0.2, 0.5, 0.3};
    double[] a = {1.5, 0.8, 3.0};
    // Dirichlet(1, 1, 1) is uniform on the simplex: density Gamma(3) = 2.
    assertEquals(Math.log(2), value(new DirichletLogProb(), GammaBetaTest.row(x), GammaBetaTest.row(1, 1, 1)), 1e-12);
    // Dirichlet of width 2 is a Beta on its first coordinate.
    assertEquals(value(new BetaLogProb(), GammaBetaTest.row(0.3), GammaBetaTest.row(2), GammaBetaTest.row(5)),
        value(new DirichletLogProb(), GammaBetaTest.row(0.3, 0.7), GammaBetaTest.row(2, 5)), 1e-12);
    Op op = new DirichletLogProb();
    INDArray[] in = {GammaBetaTest.row(x), GammaBetaTest.row(a)};
    INDArray[] gIn = {Nd4j.create(DataType.DOUBLE, 1, 3), Nd4j.create(DataType.DOUBLE, 1, 3)};
    op.backward(in, null, GammaBetaTest.row(1.0), gIn, new INDArray[0]);
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < 3; j++) {
        INDArray[] up = {in[0].dup(), in[1].dup()};
        INDArray[] down = {in[0].dup(), in[1].dup()};
        up[k].putScalar(0, j, up[k].getDouble(0, j) + 1e-6);
        down[k].putScalar(0, j, down[k].getDouble(0, j) - 1e-6);
        assertEquals((value(op, up) - value(op, down)) / 2e-6, gIn[k].getDouble(0, j), 1e-6, "input " + k + " column " + j);
      }
    }
    RowNormalize norm = new RowNormalize();
    INDArray xa = GammaBetaTest.row(a);
    INDArray w = GammaBetaTest.row(0.3, -1.0, 2.0);
    INDArray[] gx = {Nd4j.create(DataType.DOUBLE, 1, 3)};
    norm.backward(new INDArray[] {xa}, null, w, gx, new INDArray[0]);
    for (int j = 0; j < 3; j++) {
      INDArray up = xa.dup();
      INDArray down = xa.dup();
      up.putScalar(0, j, a[j] + 1e-6);
      down.putScalar(0, j, a[j] - 1e-6);
      INDArray o1 = Nd4j.create(DataType.DOUBLE, 1, 3);
      INDArray o2 = Nd4j.create(DataType.DOUBLE, 1, 3);
      norm.forward(new INDArray[] {up}, o1, null);
      norm.forward(new INDArray[] {down}, o2, null);
      assertEquals(o1.sub(o2).mul(w).sumNumber().doubleValue() / 2e-6, gx[0].getDouble(0, j), 1e-7);
    }
  }
}
