package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * The full-covariance Gaussian ops (draw, log-density, the three KLs) and the count likelihoods:
 * values against direct formulas, and every input's gradient against float64 central finite
 * differences of a randomly weighted output (step 1e-6, tolerance 1e-6 + 1e-5 |numeric|).
 */
class FullCovarianceAndCountOpsTest {
  static final int N = 3;
  static final int D = 3;
  static final int T = 6;

  static INDArray random(Random r, int rows, int cols, double lo, double hi) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
    return Nd4j.createFromArray(v).reshape(rows, cols);
  }

  static INDArray forward(Op op, INDArray[] in, int width) {
    INDArray out = Nd4j.create(DataType.DOUBLE, in[0].rows(), width);
    op.forward(in, out, new INDArray[0]);
    return out;
  }

  /** Every input's backward gradient of sum(w * op(in)) against central differences. */
  static void gradientCheck(Op op, INDArray[] in, int width, boolean[] skip) {
    INDArray w = random(new Random(3), (int) in[0].rows(), width, -1, 1);
    INDArray[] gIn = new INDArray[in.length];
    for (int k = 0; k < in.length; k++) gIn[k] = skip[k] ? null : Nd4j.create(DataType.DOUBLE, in[k].rows(), in[k].columns());
    op.backward(in, forward(op, in, width), w, gIn, new INDArray[0]);
    double h = 1e-6;
    for (int k = 0; k < in.length; k++) {
      if (skip[k]) continue;
      for (int i = 0; i < in[k].rows(); i++) {
        for (int j = 0; j < in[k].columns(); j++) {
          double v = in[k].getDouble(i, j);
          in[k].putScalar(i, j, v + h);
          double up = forward(op, in, width).mul(w).sumNumber().doubleValue();
          in[k].putScalar(i, j, v - h);
          double down = forward(op, in, width).mul(w).sumNumber().doubleValue();
          in[k].putScalar(i, j, v);
          double numeric = (up - down) / (2 * h);
          assertEquals(numeric, gIn[k].getDouble(i, j), 1e-6 + 1e-5 * Math.abs(numeric), op.describe() + " input " + k + " at " + i + "," + j);
        }
      }
    }
  }

  @Test
  void packedScaleRoundTrips() {
    assertEquals(10, ScaleTril.packedWidth(4));
    assertEquals(4, ScaleTril.dimension(10));
    assertEquals(-1, ScaleTril.dimension(11));
    // Row i of L is exp(t_ii) (t_i0, ..., 1): here L = [[1, 0], [3 * 2, 3]].
    double[][] l = ScaleTril.unpack(new double[] {0.0, 2.0, Math.log(3)}, 0, 2);
    assertEquals(1.0, l[0][0], 1e-15);
    assertEquals(6.0, l[1][0], 1e-12);
    assertEquals(3.0, l[1][1], 1e-12);
    assertEquals(0.0, l[0][1], 0.0);
  }

  @Test
  void fullCovarianceDrawAndDensityMatchTheirFormulas() {
    // D = 2, L = [[2, 0], [0.5, 3]]: z = loc + L eps; Sigma = L L^T = [[4, 1], [1, 9.25]].
    INDArray loc = Nd4j.createFromArray(new double[][] {{1, -1}});
    INDArray t = Nd4j.createFromArray(new double[][] {{Math.log(2), 0.5 / 3, Math.log(3)}});
    INDArray eps = Nd4j.createFromArray(new double[][] {{0.3, -0.7}});
    INDArray z = forward(new MvnRsample(), new INDArray[] {loc, t, eps}, 2);
    assertEquals(1 + 2 * 0.3, z.getDouble(0, 0), 1e-12);
    assertEquals(-1 + 0.5 * 0.3 + 3 * -0.7, z.getDouble(0, 1), 1e-12);
    // log N(x; loc, Sigma) by the 2x2 inverse and determinant.
    double[] x = {0.4, 2.0};
    double s11 = 4, s12 = 1, s22 = 9.25, det = s11 * s22 - s12 * s12;
    double r1 = x[0] - 1, r2 = x[1] + 1;
    double quad = (s22 * r1 * r1 - 2 * s12 * r1 * r2 + s11 * r2 * r2) / det;
    double expected = -0.5 * quad - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    INDArray lp = forward(new MvnLogProb(), new INDArray[] {Nd4j.createFromArray(new double[][] {x}), loc, t}, 1);
    assertEquals(expected, lp.getDouble(0), 1e-12);
  }

  @Test
  void fullCovarianceKlsMatchTheGeneralFormula() {
    // KL(N(mu, Sq) || N(m, Sp)) = (tr(Sp^-1 Sq) + (m - mu)^T Sp^-1 (m - mu) - D + log det Sp - log det Sq) / 2, D = 2.
    double[] mu = {0.3, -0.2};
    double[] tq = {Math.log(0.8), 0.3 / 1.5, Math.log(1.5)};   // Lq = [[0.8, 0], [0.3, 1.5]]
    double[] m = {-0.5, 0.4};
    double[] tp = {Math.log(1.2), -0.4 / 0.7, Math.log(0.7)};  // Lp = [[1.2, 0], [-0.4, 0.7]]
    double[][] sq = {{0.64, 0.24}, {0.24, 0.09 + 2.25}};
    double[][] sp = {{1.44, -0.48}, {-0.48, 0.16 + 0.49}};
    double dp = sp[0][0] * sp[1][1] - sp[0][1] * sp[1][0];
    double dq = sq[0][0] * sq[1][1] - sq[0][1] * sq[1][0];
    double[][] ip = {{sp[1][1] / dp, -sp[0][1] / dp}, {-sp[1][0] / dp, sp[0][0] / dp}};
    double tr = 0;
    for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) tr += ip[i][j] * sq[j][i];
    double[] r = {m[0] - mu[0], m[1] - mu[1]};
    double quad = 0;
    for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) quad += r[i] * ip[i][j] * r[j];
    double expected = 0.5 * (tr + quad - 2 + Math.log(dp) - Math.log(dq));
    INDArray[] in = {row(mu), row(tq), row(m), row(tp)};
    assertEquals(expected, forward(new KlMvn(KlMvn.Prior.FULL), in, 1).getDouble(0), 1e-12);
    // Against N(0, I): the same formula with Sp = I; against a diagonal N(m, s^2) with Sp = diag(s^2).
    double stdExpected = 0.5 * (sq[0][0] + sq[1][1] + mu[0] * mu[0] + mu[1] * mu[1] - 2 - Math.log(dq));
    assertEquals(stdExpected, forward(new KlMvn(KlMvn.Prior.STANDARD_NORMAL), new INDArray[] {row(mu), row(tq)}, 1).getDouble(0), 1e-12);
    double[] s = {1.3, 0.6};
    double diagExpected = 0.5 * (sq[0][0] / (s[0] * s[0]) + sq[1][1] / (s[1] * s[1]) + r[0] * r[0] / (s[0] * s[0]) + r[1] * r[1] / (s[1] * s[1])
        - 2 + 2 * Math.log(s[0] * s[1]) - Math.log(dq));
    assertEquals(diagExpected, forward(new KlMvn(KlMvn.Prior.DIAGONAL), new INDArray[] {row(mu), row(tq), row(m), row(s)}, 1).getDouble(0), 1e-12);
    // The full-covariance KL against a diagonal prior written as a MultivariateNormal agrees with the diagonal form.
    double[] tDiag = {Math.log(s[0]), 0, Math.log(s[1])};
    assertEquals(diagExpected, forward(new KlMvn(KlMvn.Prior.FULL), new INDArray[] {row(mu), row(tq), row(m), row(tDiag)}, 1).getDouble(0), 1e-12);
  }

  static INDArray row(double... v) { return Nd4j.createFromArray(v).reshape(1, v.length); }

  @Test
  void fullCovarianceGradientsMatchFiniteDifferences() {
    Random r = new Random(1);
    gradientCheck(new MvnRsample(), new INDArray[] {random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8), random(r, N, D, -2, 2)}, D, new boolean[3]);
    gradientCheck(new MvnLogProb(), new INDArray[] {random(r, N, D, -2, 2), random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8)}, 1, new boolean[3]);
    gradientCheck(new KlMvn(KlMvn.Prior.STANDARD_NORMAL), new INDArray[] {random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8)}, 1, new boolean[2]);
    gradientCheck(new KlMvn(KlMvn.Prior.DIAGONAL), new INDArray[] {random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8),
        random(r, N, D, -1, 1), random(r, N, D, 0.5, 2)}, 1, new boolean[4]);
    gradientCheck(new KlMvn(KlMvn.Prior.FULL), new INDArray[] {random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8),
        random(r, N, D, -1, 1), random(r, N, T, -0.8, 0.8)}, 1, new boolean[4]);
  }

  @Test
  void countLogProbabilitiesMatchTheirFormulasAndGradients() {
    // Poisson(3; 2.5) = e^-2.5 2.5^3 / 3!; NB(4; r = 2.5, p = 0.3) = Gamma(6.5) / (Gamma(2.5) 4!) 0.3^4 0.7^2.5.
    double pois = -2.5 + 3 * Math.log(2.5) - Math.log(6);
    assertEquals(pois, forward(new PoissonLogProb(false), new INDArray[] {row(3), row(2.5)}, 1).getDouble(0), 1e-12);
    assertEquals(pois, forward(new PoissonLogProb(true), new INDArray[] {row(3), row(Math.log(2.5))}, 1).getDouble(0), 1e-12);
    double nb = SpecialFunctions.lgamma(6.5) - SpecialFunctions.lgamma(2.5) - Math.log(24) + 4 * Math.log(0.3) + 2.5 * Math.log(0.7);
    assertEquals(nb, forward(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_PROBS), new INDArray[] {row(4), row(2.5), row(0.3)}, 1).getDouble(0), 1e-12);
    double logit = Math.log(0.3 / 0.7);
    assertEquals(nb, forward(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_LOGITS), new INDArray[] {row(4), row(2.5), row(logit)}, 1).getDouble(0), 1e-12);
    // The probabilities sum to 1 over the counts.
    double total = 0;
    for (int k = 0; k < 200; k++) {
      total += Math.exp(forward(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_LOGITS), new INDArray[] {row(k), row(2.5), row(logit)}, 1).getDouble(0));
    }
    assertEquals(1.0, total, 1e-10);
    Random r = new Random(2);
    INDArray counts = Nd4j.createFromArray(new double[][] {{0, 3, 7}, {1, 0, 12}, {5, 2, 0}});
    boolean[] dataSkip = {true, false};
    gradientCheck(new PoissonLogProb(false), new INDArray[] {counts, random(r, 3, 3, 0.5, 6)}, 1, dataSkip);
    gradientCheck(new PoissonLogProb(true), new INDArray[] {counts, random(r, 3, 3, -1, 2)}, 1, dataSkip);
    gradientCheck(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_LOGITS), new INDArray[] {counts, random(r, 3, 3, 0.5, 5), random(r, 3, 3, -2, 2)}, 1,
        new boolean[] {true, false, false});
    gradientCheck(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_PROBS), new INDArray[] {counts, random(r, 3, 3, 0.5, 5), random(r, 3, 3, 0.1, 0.9)}, 1,
        new boolean[] {true, false, false});
  }

  @Test
  void countSamplersHaveTheRightMoments() {
    int n = 50_000;
    INDArray u = Nd4j.createFromArray(new Random(9).doubles(n).toArray()).reshape(n, 1);
    for (double rate : new double[] {0.7, 4.0, 35.0}) {
      INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
      new CountSample(false).forward(new INDArray[] {Nd4j.valueArrayOf(new long[] {n, 1}, rate, DataType.DOUBLE), u}, out, null);
      double[] x = HostMatrix.flat(out);
      for (double v : x) assertTrue(v >= 0 && v == Math.rint(v));
      // Mean within 5 standard errors; variance (= rate) within 5%.
      assertEquals(rate, out.meanNumber().doubleValue(), 5 * Math.sqrt(rate / n), "Poisson mean " + rate);
      assertEquals(rate, out.varNumber().doubleValue(), 0.05 * rate, "Poisson variance " + rate);
    }
    // NB(r = 2, p = 0.6): odds 1.5, mean r odds = 3, variance mean / (1 - p) = 7.5.
    INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
    new CountSample(true).forward(new INDArray[] {Nd4j.valueArrayOf(new long[] {n, 1}, 2.0, DataType.DOUBLE),
        Nd4j.valueArrayOf(new long[] {n, 1}, 1.5, DataType.DOUBLE), u}, out, null);
    assertEquals(3.0, out.meanNumber().doubleValue(), 5 * Math.sqrt(7.5 / n), "NB mean");
    assertEquals(7.5, out.varNumber().doubleValue(), 0.06 * 7.5, "NB variance");
  }
}
