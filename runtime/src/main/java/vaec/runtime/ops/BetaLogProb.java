package vaec.runtime.ops;

import vaec.runtime.kernels.SpecialFunctions;

/**
 * log Beta(x; a, b) summed per example; inputs (x, a, b):
 * (a - 1) log x + (b - 1) log(1 - x) - log Gamma(a) - log Gamma(b) + log Gamma(a + b).
 */
public final class BetaLogProb extends HostLogDensity {
  @Override
  double logDensity(double x, double a, double b) {
    return (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x)
        - SpecialFunctions.lgamma(a) - SpecialFunctions.lgamma(b) + SpecialFunctions.lgamma(a + b);
  }

  @Override
  void gradient(double x, double a, double b, double[] out) {
    double both = SpecialFunctions.digamma(a + b);
    out[0] = (a - 1) / x - (b - 1) / (1 - x);
    out[1] = Math.log(x) - SpecialFunctions.digamma(a) + both;
    out[2] = Math.log1p(-x) - SpecialFunctions.digamma(b) + both;
  }

  @Override public String describe() { return "beta_log_prob"; }
}
