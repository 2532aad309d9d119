package vaec.stdlib.sivi;

import vaec.runtime.kernels.SpecialFunctions;

/**
 * The negative-binomial model of seed 003 (Yin and Zhou 2018): counts x_1..x_n ~ NB(r, p) i.i.d.,
 * r ~ Gamma(shape, rate), p ~ Beta(alpha, beta). NB follows PyTorch's convention (successes before r
 * failures, success probability p): P(x) = Gamma(x + r) / (Gamma(r) x!) p^x (1 - p)^r.
 *
 * <p>As a {@link Target} the latent is unconstrained, z = (u, v) = (log r, logit p), and the density
 * includes the Jacobian r p (1 - p), so that log p(x) is the integral of exp(logDensity) over R^2.
 * The posterior has no closed form; {@link #exactLogEvidence} integrates it on a grid.
 */
public final class NegativeBinomialModel implements Target {
  private final double shape;
  private final double rate;
  private final double alpha;
  private final double beta;
  private final int[] counts;
  private final double sumCounts;
  private final double logFactorials;
  private final double priorConstant;

  public NegativeBinomialModel(int[] counts, double shape, double rate, double alpha, double beta) {
    positive("shape", shape);
    positive("rate", rate);
    positive("alpha", alpha);
    positive("beta", beta);
    if (counts.length == 0) throw new IllegalArgumentException("the negative-binomial model needs at least one count");
    double s = 0;
    double lf = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) throw new IllegalArgumentException("count " + i + " is " + counts[i] + "; counts are whole numbers 0, 1, 2, ...");
      s += counts[i];
      lf += SpecialFunctions.lgamma(counts[i] + 1.0);
    }
    this.counts = counts.clone();
    this.shape = shape;
    this.rate = rate;
    this.alpha = alpha;
    this.beta = beta;
    this.sumCounts = s;
    this.logFactorials = lf;
    this.priorConstant = shape * Math.log(rate) - SpecialFunctions.lgamma(shape)
        - (SpecialFunctions.lgamma(alpha) + SpecialFunctions.lgamma(beta) - SpecialFunctions.lgamma(alpha + beta));
  }

  private static void positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("the negative-binomial model's prior parameter " + name + " must be positive, got " + value);
    }
  }

  @Override public int dimension() { return 2; }

  private static double softplus(double x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }

  @Override public double logDensity(double[] z, double[] grad) {
    double u = z[0];
    double v = z[1];
    double r = Math.exp(u);
    double logP = -softplus(-v);
    double log1mP = -softplus(v);
    double p = Math.exp(logP);
    int n = counts.length;
    double lik = -logFactorials + sumCounts * logP + n * r * log1mP - n * SpecialFunctions.lgamma(r);
    for (int x : counts) lik += SpecialFunctions.lgamma(x + r);
    // log Gamma(r) + log Beta(p) + log |d(r, p) / d(u, v)| = log r + log p + log (1 - p)
    double prior = priorConstant + shape * u - rate * r + alpha * logP + beta * log1mP;
    if (grad != null) {
      double dg = -n * SpecialFunctions.digamma(r);
      for (int x : counts) dg += SpecialFunctions.digamma(x + r);
      grad[0] = r * (dg + n * log1mP) + shape - rate * r;
      grad[1] = (sumCounts + alpha) * (1 - p) - (n * r + beta) * p;
    }
    return lik + prior;
  }

  /** The posterior summarized on a grid: log p(x) and moments of r, p and of (u, v). */
  public record GridPosterior(double logEvidence, double meanR, double meanP, double correlationUV) {}

  /**
   * log p(x) by the midpoint rule on a {@code points} x {@code points} grid over
   * u in [uLo, uHi], v in [vLo, vHi] (the posterior must be negligible outside), summed in log space.
   */
  public GridPosterior exactPosterior(int points, double uLo, double uHi, double vLo, double vHi) {
    if (points < 2) throw new IllegalArgumentException("the grid needs at least 2 points a side, got " + points);
    double du = (uHi - uLo) / points;
    double dv = (vHi - vLo) / points;
    double[] logs = new double[points * points];
    double max = Double.NEGATIVE_INFINITY;
    double[] z = new double[2];
    for (int i = 0; i < points; i++) {
      for (int j = 0; j < points; j++) {
        z[0] = uLo + (i + 0.5) * du;
        z[1] = vLo + (j + 0.5) * dv;
        double l = logDensity(z, null);
        logs[i * points + j] = l;
        max = Math.max(max, l);
      }
    }
    double sum = 0, er = 0, ep = 0, eu = 0, ev = 0, euu = 0, evv = 0, euv = 0;
    for (int i = 0; i < points; i++) {
      double u = uLo + (i + 0.5) * du;
      for (int j = 0; j < points; j++) {
        double v = vLo + (j + 0.5) * dv;
        double w = Math.exp(logs[i * points + j] - max);
        sum += w;
        er += w * Math.exp(u);
        ep += w / (1 + Math.exp(-v));
        eu += w * u;
        ev += w * v;
        euu += w * u * u;
        evv += w * v * v;
        euv += w * u * v;
      }
    }
    double mu = eu / sum, mv = ev / sum;
    double corr = (euv / sum - mu * mv) / Math.sqrt((euu / sum - mu * mu) * (evv / sum - mv * mv));
    return new GridPosterior(max + Math.log(sum * du * dv), er / sum, ep / sum, corr);
  }
}
