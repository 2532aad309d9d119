package vaec.stdlib.sivi;

import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.estimators.GradientEstimator;

/**
 * The semi-implicit guide of the model language (Yin and Zhou 2018; seed 003), written
 * {@code guide semi_implicit(K = 20) { ... }}: the block's expressions may read {@code noise(m)}
 * (fresh N(0, I) noise), so the parameters psi of its conditionals are random; the block's latents
 * z (one or several) are drawn from q(z | psi_0), and the guide's density h(z) = E_psi q(z | psi),
 * which has no closed form, is replaced by the surrogate of 003:
 *
 * <pre>
 *   log h_K(z) = log( (1 / (K + 1)) [ q(z | psi_0) + sum_{k=1..K} q(z | psi_k) ] ),
 * </pre>
 *
 * with psi_1..psi_K the block re-evaluated K more times with fresh noise (the data and the latents
 * it reads held), q(z | psi) the product of the block's conditionals at their draws. The ELBO with
 * log h_K in place of log q is the bound L_K, below log p(x) and rising with K. This class owns
 * the construct's settings and their checks, which latents and estimators it serves, its KL
 * policy, and the lowering of log h_K from the K + 1 conditional log-densities; the stand-alone
 * {@link SemiImplicitGuide} computes the same mixture ({@link #logMeanExp}) in double precision.
 */
public final class SemiImplicit {
  private SemiImplicit() {}

  /** The modifier's name as written before a guide block. */
  public static final String KEYWORD = "semi_implicit";

  /** The setting: the number of extra draws of the mixing variable. */
  public static final String K = "K";

  /** The function that draws the mixing noise inside a semi-implicit guide block. */
  public static final String NOISE = "noise";

  /** The largest K: the block is lowered K + 1 times in each graph. */
  public static final int MAX_K = 500;

  /** The largest width of one noise(m) call. */
  public static final int MAX_NOISE = 10_000;

  /** Null when {@code k} is a valid K, else why not. */
  public static String whyNotK(double k) {
    return k == Math.rint(k) && k >= 1 && k <= MAX_K ? null
        : "K of semi_implicit must be a whole number from 1 to " + MAX_K + ", got " + fmt(k);
  }

  /** Null when {@code m} is a valid noise width, else why not. */
  public static String whyNotNoise(double m) {
    return m == Math.rint(m) && m >= 1 && m <= MAX_NOISE ? null
        : "noise(m) draws m standard normal values per example: m must be a whole number from 1 to " + MAX_NOISE + ", got " + fmt(m);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  /**
   * Null when a latent drawn from {@code family} may be a conditional of a semi-implicit guide,
   * else why not: the draw must be reparameterizable (the surrogate's gradient flows through z and
   * every psi_k) and the family must score any value (each psi_k's conditional scores psi_0's draw).
   */
  public static String whyNot(DistributionFamily family) {
    if (family.isDiscrete()) {
      return "a semi-implicit guide needs continuous conditionals with a pathwise sampler, and " + family.name() + " is discrete";
    }
    if (!family.hasPathwiseSampler()) {
      return "a semi-implicit guide needs conditionals with a pathwise sampler, and " + family.name() + " has none";
    }
    if (!family.scoresAnyValue()) {
      return "a semi-implicit guide scores each draw under the K other conditionals, and " + family.name()
          + " gives its density only along its own draws";
    }
    return null;
  }

  /** Null when {@code estimator} can train a latent of a semi-implicit guide, else why not. */
  public static String whyNot(GradientEstimator estimator) {
    return estimator.keyword().equals("reparameterized") ? null
        : "the surrogate bound of a semi-implicit guide is trained pathwise (through z and every psi_k); "
            + "estimator '" + estimator.keyword() + "' is not available for its latents";
  }

  /** Why the KL term of a latent of a semi-implicit guide is Monte Carlo. */
  public static String klReason(int k) {
    return "semi-implicit guide: log h(z) by the mixture of K + 1 = " + (k + 1) + " conditionals (003's surrogate)";
  }

  /** The plan's note on a latent of a semi-implicit guide. */
  public static String describe(int k, List<String> latents) {
    return "semi-implicit guide over " + String.join(", ", latents) + " with K = " + k;
  }

  /**
   * log h_K per row: log((1 / (K + 1)) sum_{k=0..K} exp(ell_k)) with ell_0 = {@code own} (the
   * conditional that drew z) and ell_1..ell_K = {@code others}, each a batch x 1 node. Pairwise
   * log-sum-exp, max(a, b) + softplus(-|a - b|), stable in float for any difference.
   */
  public static Node logMixture(Graph g, SourceRef o, Node own, List<Node> others) {
    Node acc = own;
    for (Node e : others) {
      Node sum = g.apply(new Binary(Binary.Kind.ADD), o, acc, e);
      Node gap = g.apply(new Unary(Unary.Fn.ABS), o, g.apply(new Binary(Binary.Kind.SUB), o, acc, e));
      // max(a, b) = (a + b) / 2 + |a - b| / 2
      Node max = g.apply(new Binary(Binary.Kind.ADD), o, g.apply(new Affine(0.5, 0), o, sum), g.apply(new Affine(0.5, 0), o, gap));
      Node rest = g.apply(new Unary(Unary.Fn.SOFTPLUS), o, g.apply(new Affine(-1, 0), o, gap));
      acc = g.apply(new Binary(Binary.Kind.ADD), o, max, rest);
    }
    return g.apply(new Affine(1, -Math.log(others.size() + 1)), o, acc);
  }

  /** log((1 / n) sum_{k < n} exp(a_k)): the mixture in double precision. */
  public static double logMeanExp(double[] a, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) max = Math.max(max, a[k]);
    if (max == Double.NEGATIVE_INFINITY) return max;
    double s = 0;
    for (int k = 0; k < n; k++) s += Math.exp(a[k] - max);
    return max + Math.log(s / n);
  }
}
