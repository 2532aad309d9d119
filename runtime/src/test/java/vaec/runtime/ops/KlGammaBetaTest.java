package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * The closed-form Gamma and Beta KLs against numerical integration of q log(q / p) (midpoint
 * rule on a fine grid, in log space for Gamma), their gradients against finite differences, and
 * trigamma against a difference of digamma.
 */
class KlGammaBetaTest {
  static double gammaLogPdf(double x, double a, double b) {
    return a * Math.log(b) + (a - 1) * Math.log(x) - b * x - SpecialFunctions.lgamma(a);
  }

  static double betaLogPdf(double x, double a, double b) {
    return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - SpecialFunctions.lgamma(a) - SpecialFunctions.lgamma(b) + SpecialFunctions.lgamma(a + b);
  }

  @Test
  void trigammaMatchesKnownValuesAndTheDerivativeOfDigamma() {
    assertEquals(Math.PI * Math.PI / 6, SpecialFunctions.trigamma(1), 1e-10);
    assertEquals(Math.PI * Math.PI / 2, SpecialFunctions.trigamma(0.5), 1e-10);
    for (double x : new double[] {0.05, 0.7, 3.3, 12, 150}) {
      double numeric = (SpecialFunctions.digamma(x + 1e-5) - SpecialFunctions.digamma(x - 1e-5)) / 2e-5;
      assertEquals(numeric, SpecialFunctions.trigamma(x), 1e-6 * Math.abs(numeric), "x " + x);
    }
  }

  @Test
  void klsMatchNumericalIntegration() {
    double[][] gammas = {{2.5, 1.5, 1.0, 1.0}, {0.6, 3.0, 2.0, 0.5}, {7, 2, 3, 1.2}};
    for (double[] c : gammas) {
      // Integrate over u = log x: q(x) x du, on u in [-40, 8].
      int n = 400_000;
      double lo = -40, hi = 8, h = (hi - lo) / n, sum = 0;
      for (int i = 0; i < n; i++) {
        double u = lo + (i + 0.5) * h;
        double x = Math.exp(u);
        double lq = gammaLogPdf(x, c[0], c[1]);
        sum += Math.exp(lq + u) * (lq - gammaLogPdf(x, c[2], c[3])) * h;
      }
      assertEquals(sum, new KlGammaBeta(GammaBetaSample.Kind.GAMMA).kl(c[0], c[1], c[2], c[3]), 1e-6, "Gamma " + java.util.Arrays.toString(c));
    }
    double[][] betas = {{2, 5, 1, 1}, {0.8, 1.7, 3, 2}, {6, 2, 2, 6}};
    for (double[] c : betas) {
      // Integrate over the logit v: x = sigmoid(v), dx = x (1 - x) dv, on v in [-30, 30] (x = 1 exactly beyond).
      int n = 400_000;
      double lo = -30, hi = 30, h = (hi - lo) / n, sum = 0;
      for (int i = 0; i < n; i++) {
        double v = lo + (i + 0.5) * h;
        double x = 1 / (1 + Math.exp(-v));
        double logJ = -Math.log1p(Math.exp(-v)) - Math.log1p(Math.exp(v));
        double lq = betaLogPdf(x, c[0], c[1]);
        sum += Math.exp(lq + logJ) * (lq - betaLogPdf(x, c[2], c[3])) * h;
      }
      assertEquals(sum, new KlGammaBeta(GammaBetaSample.Kind.BETA).kl(c[0], c[1], c[2], c[3]), 1e-6, "Beta " + java.util.Arrays.toString(c));
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random r = new Random(4);
    for (GammaBetaSample.Kind kind : GammaBetaSample.Kind.values()) {
      INDArray[] in = new INDArray[4];
      for (int k = 0; k < 4; k++) in[k] = FullCovarianceAndCountOpsTest.random(r, 3, 2, 0.3, 4);
      FullCovarianceAndCountOpsTest.gradientCheck(new KlGammaBeta(kind), in, 1, new boolean[4]);
    }
  }
}
