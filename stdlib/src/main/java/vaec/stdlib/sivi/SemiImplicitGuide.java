package vaec.stdlib.sivi;

import java.util.Random;

/**
 * A semi-implicit guide (Yin and Zhou 2018; seed 003): h(z) = E_{psi ~ q(psi)} q(z | psi), with
 * q(z | psi) = Normal(psi, diag(s^2)) explicit and reparameterizable, and the mixing variable psi
 * implicit: psi = W2 tanh(W1 eps + b1) + b2 with eps ~ N(0, I_m). h has no density to evaluate, so
 * it is trained and measured with the surrogate bound of 003:
 *
 * <pre>
 *   L_K = E log p(x, z) - log( (1 / (K + 1)) [ q(z | psi_0) + sum_{k=1..K} q(z | psi_k) ] ),
 *   z ~ q(z | psi_0),  psi_0, psi_1..psi_K independent draws of the mixing variable.
 * </pre>
 *
 * L_0 is the degenerate bound E_psi ELBO(q(. | psi)), which a point mass on psi maximizes; the K
 * extra draws add the regularizer B_K that prevents this, and L_K rises to the ELBO of h as K
 * grows. Every draw is reparameterized (z = psi_0 + s xi), so the gradient of L_K in the guide's
 * parameters flows through z and through every psi_k.
 *
 * <p>Parameters: W1 (hidden x m), b1, W2 (d x hidden), b2, log s (d), in that order in
 * {@link #parameters()}.
 */
public final class SemiImplicitGuide {
  private final int d;
  private final int m;
  private final int hidden;
  private final double[] theta;
  private final int oW1, oB1, oW2, oB2, oLogS;

  /** A guide over R^d with m noise inputs and {@code hidden} tanh units, initialized from {@code rng}. */
  public SemiImplicitGuide(int d, int m, int hidden, double logScale, Random rng) {
    if (d < 1 || m < 1 || hidden < 1) {
      throw new IllegalArgumentException("a semi-implicit guide needs positive sizes, got d = " + d + ", m = " + m + ", hidden = " + hidden);
    }
    this.d = d;
    this.m = m;
    this.hidden = hidden;
    oW1 = 0;
    oB1 = oW1 + hidden * m;
    oW2 = oB1 + hidden;
    oB2 = oW2 + d * hidden;
    oLogS = oB2 + d;
    theta = new double[oLogS + d];
    double a1 = 1 / Math.sqrt(m);
    double a2 = 1 / Math.sqrt(hidden);
    for (int i = 0; i < hidden * m; i++) theta[oW1 + i] = a1 * (2 * rng.nextDouble() - 1);
    for (int i = 0; i < hidden; i++) theta[oB1 + i] = a1 * (2 * rng.nextDouble() - 1);
    for (int i = 0; i < d * hidden; i++) theta[oW2 + i] = a2 * (2 * rng.nextDouble() - 1);
    for (int j = 0; j < d; j++) theta[oLogS + j] = logScale;
  }

  public int dimension() { return d; }

  /** The parameters, live: an optimizer updates them in place. */
  public double[] parameters() { return theta; }

  /** The conditional's scales s. */
  public double[] scales() {
    double[] s = new double[d];
    for (int j = 0; j < d; j++) s[j] = Math.exp(theta[oLogS + j]);
    return s;
  }

  /** psi = W2 tanh(W1 eps + b1) + b2; writes the tanh units into {@code h}. */
  private void mixing(double[] eps, double[] h, double[] psi) {
    for (int i = 0; i < hidden; i++) {
      double a = theta[oB1 + i];
      for (int l = 0; l < m; l++) a += theta[oW1 + i * m + l] * eps[l];
      h[i] = Math.tanh(a);
    }
    for (int j = 0; j < d; j++) {
      double s = theta[oB2 + j];
      for (int i = 0; i < hidden; i++) s += theta[oW2 + j * hidden + i] * h[i];
      psi[j] = s;
    }
  }

  /** Adds d(objective)/d(theta) through psi = mixing(eps), given d(objective)/d(psi). */
  private void backMixing(double[] eps, double[] h, double[] dPsi, double[] grad) {
    for (int j = 0; j < d; j++) {
      grad[oB2 + j] += dPsi[j];
      for (int i = 0; i < hidden; i++) grad[oW2 + j * hidden + i] += dPsi[j] * h[i];
    }
    for (int i = 0; i < hidden; i++) {
      double dh = 0;
      for (int j = 0; j < d; j++) dh += theta[oW2 + j * hidden + i] * dPsi[j];
      double da = dh * (1 - h[i] * h[i]);
      grad[oB1 + i] += da;
      for (int l = 0; l < m; l++) grad[oW1 + i * m + l] += da * eps[l];
    }
  }

  /** A draw z of h. */
  public double[] draw(Random rng) {
    double[] eps = gaussians(rng, m);
    double[] psi = new double[d];
    mixing(eps, new double[hidden], psi);
    double[] z = new double[d];
    for (int j = 0; j < d; j++) z[j] = psi[j] + Math.exp(theta[oLogS + j]) * rng.nextGaussian();
    return z;
  }

  private static double[] gaussians(Random rng, int n) {
    double[] e = new double[n];
    for (int i = 0; i < n; i++) e[i] = rng.nextGaussian();
    return e;
  }

  /**
   * One draw of the surrogate bound L_K for each K in {@code ks} (ascending), sharing z, psi_0 and
   * the first K extra draws, so that differences between Ks are paired. Adds the gradient of the
   * draw of L_{ks[last]} into {@code grad} when it is not null.
   */
  public double[] surrogate(Target target, int[] ks, Random rng, double[] grad) {
    if (target.dimension() != d) {
      throw new IllegalArgumentException("the guide has dimension " + d + " but the target " + target.dimension());
    }
    int kMax = 0;
    for (int i = 0; i < ks.length; i++) {
      if (ks[i] < 0 || (i > 0 && ks[i] < ks[i - 1])) throw new IllegalArgumentException("K must be ascending and >= 0, got " + ks[i]);
      kMax = ks[i];
    }
    double[][] eps = new double[kMax + 1][];
    double[][] h = new double[kMax + 1][hidden];
    double[][] psi = new double[kMax + 1][d];
    for (int k = 0; k <= kMax; k++) {
      eps[k] = gaussians(rng, m);
      mixing(eps[k], h[k], psi[k]);
    }
    double[] s = scales();
    double[] xi = gaussians(rng, d);
    double[] z = new double[d];
    for (int j = 0; j < d; j++) z[j] = psi[0][j] + s[j] * xi[j];
    double[] gLogP = new double[d];
    double logP = target.logDensity(z, grad == null ? null : gLogP);
    double logNorm = 0;
    for (int j = 0; j < d; j++) logNorm -= theta[oLogS + j] + 0.5 * Math.log(2 * Math.PI);
    double[] ell = new double[kMax + 1];
    for (int k = 0; k <= kMax; k++) {
      double q = logNorm;
      for (int j = 0; j < d; j++) {
        double t = (z[j] - psi[k][j]) / s[j];
        q -= 0.5 * t * t;
      }
      ell[k] = q;
    }
    double[] out = new double[ks.length];
    for (int i = 0; i < ks.length; i++) out[i] = logP - SemiImplicit.logMeanExp(ell, ks[i] + 1);
    if (grad != null) {
      int n = kMax + 1;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < n; k++) max = Math.max(max, ell[k]);
      double[] w = new double[n];
      double sum = 0;
      for (int k = 0; k < n; k++) sum += (w[k] = Math.exp(ell[k] - max));
      for (int k = 0; k < n; k++) w[k] /= sum;
      // f = log p(z) - LSE_k ell_k + log n, ell_k = log N(z; psi_k, s^2)
      double[] gz = gLogP.clone();
      for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) gz[j] += w[k] * (z[j] - psi[k][j]) / (s[j] * s[j]);
      for (int k = 0; k < n; k++) {
        double[] dPsi = new double[d];
        for (int j = 0; j < d; j++) dPsi[j] = -w[k] * (z[j] - psi[k][j]) / (s[j] * s[j]) + (k == 0 ? gz[j] : 0);
        backMixing(eps[k], h[k], dPsi, grad);
      }
      for (int j = 0; j < d; j++) {
        double g = gz[j] * s[j] * xi[j];
        for (int k = 0; k < n; k++) {
          double t = (z[j] - psi[k][j]) / s[j];
          g -= w[k] * (t * t - 1);
        }
        grad[oLogS + j] += g;
      }
    }
    return out;
  }

  /**
   * Monte Carlo estimates of L_K for each K in {@code ks}, with their standard errors, and the paired
   * gains L_{ks[i]} - L_{ks[i-1]} with theirs (entry 0 of each gain array is 0).
   */
  public record Bounds(int[] ks, double[] mean, double[] standardError, double[] gain, double[] gainStandardError) {}

  /** {@code draws} paired draws of the surrogate bound for each K in {@code ks}. */
  public Bounds estimate(Target target, int[] ks, int draws, Random rng) {
    int n = ks.length;
    double[] s1 = new double[n], s2 = new double[n], g1 = new double[n], g2 = new double[n];
    for (int t = 0; t < draws; t++) {
      double[] v = surrogate(target, ks, rng, null);
      for (int i = 0; i < n; i++) {
        s1[i] += v[i];
        s2[i] += v[i] * v[i];
        double g = i == 0 ? 0 : v[i] - v[i - 1];
        g1[i] += g;
        g2[i] += g * g;
      }
    }
    double[] mean = new double[n], se = new double[n], gain = new double[n], gse = new double[n];
    for (int i = 0; i < n; i++) {
      mean[i] = s1[i] / draws;
      se[i] = Math.sqrt(Math.max(0, s2[i] / draws - mean[i] * mean[i]) / (draws - 1));
      double gm = gain[i] = g1[i] / draws;
      gse[i] = Math.sqrt(Math.max(0, g2[i] / draws - gm * gm) / (draws - 1));
    }
    return new Bounds(ks.clone(), mean, se, gain, gse);
  }

  /**
   * Maximizes L_K by Adam (ascent) over {@code steps} steps of {@code drawsPerStep} draws each;
   * returns the mean bound over the last tenth of the steps (a training curve's tail, noisy).
   */
  public double train(Target target, int k, int steps, int drawsPerStep, double lr, Random rng) {
    if (k < 0 || steps < 1 || drawsPerStep < 1 || !(lr > 0)) {
      throw new IllegalArgumentException("training needs K >= 0, steps >= 1, draws >= 1 and lr > 0; got K = " + k
          + ", steps = " + steps + ", draws = " + drawsPerStep + ", lr = " + lr);
    }
    int p = theta.length;
    double[] m1 = new double[p], m2 = new double[p];
    double b1 = 0.9, b2 = 0.999;
    double tail = 0;
    int tailCount = 0;
    int[] ks = {k};
    for (int step = 1; step <= steps; step++) {
      double[] grad = new double[p];
      double value = 0;
      for (int t = 0; t < drawsPerStep; t++) value += surrogate(target, ks, rng, grad)[0];
      for (int i = 0; i < p; i++) {
        double g = grad[i] / drawsPerStep;
        if (!Double.isFinite(g)) throw new IllegalStateException("the SIVI gradient is not finite at step " + step + " (parameter " + i + ")");
        m1[i] = b1 * m1[i] + (1 - b1) * g;
        m2[i] = b2 * m2[i] + (1 - b2) * g * g;
        double mh = m1[i] / (1 - Math.pow(b1, step));
        double vh = m2[i] / (1 - Math.pow(b2, step));
        theta[i] += lr * mh / (Math.sqrt(vh) + 1e-8);
      }
      if (step > steps - steps / 10) {
        tail += value / drawsPerStep;
        tailCount++;
      }
    }
    return tailCount == 0 ? Double.NaN : tail / tailCount;
  }
}
