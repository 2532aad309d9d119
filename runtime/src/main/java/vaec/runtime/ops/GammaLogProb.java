package vaec.runtime.ops;

import vaec.runtime.kernels.SpecialFunctions;

/**
 * log Gamma(x; alpha, beta) with rate beta, summed per example; inputs (x, alpha, beta):
 * alpha log beta + (alpha - 1) log x - beta x - log Gamma(alpha).
 */
public final class GammaLogProb extends HostLogDensity {
  @Override
  double logDensity(double x, double a, double b) {
    return a * Math.log(b) + (a - 1) * Math.log(x) - b * x - SpecialFunctions.lgamma(a);
  }

  @Override
  void gradient(double x, double a, double b, double[] out) {
    out[0] = (a - 1) / x - b;
    out[1] = Math.log(b) + Math.log(x) - SpecialFunctions.digamma(a);
    out[2] = a / b - x;
  }

  @Override public String describe() { return "gamma_log_prob"; }
}
