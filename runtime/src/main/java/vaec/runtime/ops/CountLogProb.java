package vaec.runtime.ops;

import vaec.runtime.kernels.SpecialFunctions;

/**
 * Log-probabilities of count data (non-negative integers), summed per example, on the host in
 * double precision (they need log Gamma). The value is data: its gradient is given for
 * completeness (the digamma form of the log-factorial's derivative).
 *
 * <ul>
 *   <li>{@link Kind#NEGATIVE_BINOMIAL_LOGITS}, inputs (x, total_count r, logits l):
 *       log Gamma(x + r) - log Gamma(r) - log Gamma(x + 1) + x l - (r + x) softplus(l), the
 *       number of successes before r failures with success probability sigmoid(l) (PyTorch's
 *       convention; mean r exp(l)).</li>
 *   <li>{@link Kind#NEGATIVE_BINOMIAL_PROBS}, inputs (x, r, p): the same with
 *       x log p + r log(1 - p).</li>
 * </ul>
 */
public final class CountLogProb extends HostLogDensity {
  /** Which count family and parameterization. */
  public enum Kind { NEGATIVE_BINOMIAL_LOGITS, NEGATIVE_BINOMIAL_PROBS }

  private final Kind kind;

  public CountLogProb(Kind kind) { this.kind = kind; }

  static double softplus(double l) { return l > 0 ? l + Math.log1p(Math.exp(-l)) : Math.log1p(Math.exp(l)); }

  @Override
  double logDensity(double x, double r, double q) {
    double comb = SpecialFunctions.lgamma(x + r) - SpecialFunctions.lgamma(r) - SpecialFunctions.lgamma(x + 1);
    return switch (kind) {
      case NEGATIVE_BINOMIAL_LOGITS -> comb + x * q - (r + x) * softplus(q);
      case NEGATIVE_BINOMIAL_PROBS -> comb + (x == 0 ? 0 : x * Math.log(q)) + r * Math.log1p(-q);
    };
  }

  @Override
  void gradient(double x, double r, double q, double[] out) {
    double dComb = SpecialFunctions.digamma(x + r);
    out[0] = dComb - SpecialFunctions.digamma(x + 1);
    out[1] = dComb - SpecialFunctions.digamma(r);
    switch (kind) {
      case NEGATIVE_BINOMIAL_LOGITS -> {
        double sig = 1 / (1 + Math.exp(-q));
        out[0] += q - softplus(q);
        out[1] -= softplus(q);
        out[2] = x - (r + x) * sig;
      }
      case NEGATIVE_BINOMIAL_PROBS -> {
        out[0] += Math.log(q);
        out[1] += Math.log1p(-q);
        out[2] = x / q - r / (1 - q);
      }
    }
  }

  @Override public String describe() { return kind.name().toLowerCase(java.util.Locale.ROOT) + "_log_prob"; }
}
