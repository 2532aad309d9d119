package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * The closed-form KL between Dirichlets: against a Monte Carlo average of log q(z) - log p(z) over
 * 200,000 draws of q (within 5 standard errors), zero for equal arguments, and its gradients
 * against finite differences.
 */
class KlDirichletTest {
  /** A Gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 by the boost u^(1/a)). */
  static double gamma(Random r, double a) {
    if (a < 1) return gamma(r, a + 1) * Math.pow(r.nextDouble(), 1 / a);
    double d = a - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = r.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = r.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  static double logDensity(double[] z, double[] a) {
    double s = 0, v = 0;
    for (int j = 0; j < z.length; j++) {
      s += a[j];
      v += (a[j] - 1) * Math.log(z[j]) - SpecialFunctions.lgamma(a[j]);
    }
    return v + SpecialFunctions.lgamma(s);
  }

  @Test
  void matchesMonteCarlo() {
    double[][][] pairs = {
        {{1, 1, 1}, {2, 2, 2}},
        {{0.5, 3, 1.5}, {1, 1, 1}},
        {{5, 0.8, 2, 7}, {0.6, 3, 1, 2}},
        {{20, 30}, {2, 2}},
    };
    Random r = new Random(7);
    int n = 200_000;
    for (double[][] pq : pairs) {
      double[] a = pq[0], b = pq[1];
      double s1 = 0, s2 = 0;
      double[] z = new double[a.length];
      for (int t = 0; t < n; t++) {
        double sum = 0;
        for (int j = 0; j < a.length; j++) sum += z[j] = gamma(r, a[j]);
        for (int j = 0; j < a.length; j++) z[j] /= sum;
        double d = logDensity(z, a) - logDensity(z, b);
        s1 += d;
        s2 += d * d;
      }
      double mean = s1 / n;
      double se = Math.sqrt((s2 / n - mean * mean) / (n - 1));
      double kl = KlDirichlet.kl(a, b);
      assertTrue(Math.abs(kl - mean) < 5 * se + 1e-9, "KL " + kl + " against Monte Carlo " + mean + " +- " + se);
      assertTrue(kl > 0);
    }
    assertEquals(0, KlDirichlet.kl(new double[] {0.3, 2, 9}, new double[] {0.3, 2, 9}), 1e-12);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random r = new Random(4);
    INDArray[] in = {FullCovarianceAndCountOpsTest.random(r, 3, 4, 0.3, 4), FullCovarianceAndCountOpsTest.random(r, 3, 4, 0.3, 4)};
    FullCovarianceAndCountOpsTest.gradientCheck(new KlDirichlet(), in, 1, new boolean[2]);
  }
}
