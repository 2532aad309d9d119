package vaec.stdlib.objectives;

import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.GroupLogMeanExp;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.Unary;
import vaec.stdlib.estimators.Estimators;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.LatentSite;
import vaec.stdlib.estimators.Reparameterized;
import vaec.stdlib.estimators.Setting;
import vaec.stdlib.estimators.Settings;
import vaec.stdlib.estimators.StickingTheLanding;

/**
 * The importance-weighted bound of Burda, Grosse and Salakhutdinov (2016): with k draws z_1..z_k
 * of the guide per example, IWAE-k = E log (1/k) sum_j p(x, z_j) / q(z_j | x). It is the ELBO at
 * k = 1, grows with k, and tends to log p(x). Each row's single-sample log-weight
 * log p(x, z_j) - log q(z_j | x) is reduced over its example's k rows by {@link GroupLogMeanExp}.
 *
 * <p>What it asks of the plan: every latent's KL term as log p(z) - log q(z) at the draw (a
 * closed form is an expectation over one draw, not the draw's weight), and a pathwise
 * (reparameterized) gradient for every latent, or VIMCO for a discrete one (k >= 2), since the
 * other estimators for discrete or non-pathwise latents are built for the single-sample ELBO. It
 * reports -IWAE-k (the loss), and, at the same draws, the mean single-sample -ELBO, its
 * reconstruction part and the rest; the estimators' surrogates are added to the trained loss only.
 *
 * <p>{@code gradient = dreg}: the doubly reparameterized gradient of Tucker, Lawson, Gu and
 * Maddison (2019) for the guide. Per example, with l_j = log p(x, z_j) - log q(z_j | x), z_j =
 * z(eps_j, phi) and w_j = softmax_j(l_j), the model (theta) gets the usual sum_j w_j dl_j/dtheta
 * and the guide (phi) gets sum_j w_j^2 (dl_j/dz_j)(dz_j/dphi), with q's own parameters held
 * inside l_j. Derivation of the surrogate, in three per-row pieces whose gradients are
 * A_j = dl_j/dtheta (the direct path into the model's networks), B_j = (dl_j/dz_j)(dz_j/dphi)
 * (the path through the draw) and C_j = the score term dl_j/dphi at fixed z_j:
 * <ul>
 *   <li>the planner lowers each pathwise latent with sticking_the_landing ({@link #replace}): log q
 *       at the guide's arguments held, so the row's log-weight l_j has gradient A_j + B_j (no C_j);
 *   <li>-LME_j(l_j) ({@link GroupLogMeanExp}) then has gradient -sum_j w_j (A_j + B_j): the model's
 *       part is already the IWAE gradient, the guide's has weight w_j where DReG wants w_j^2;
 *   <li>{@link ObjectiveStep#heldElbo} is l_j again at the same draws with every network frozen:
 *       the same value, gradient B_j only. Adding sum_j stop(w_j - w_j^2) (h_j - stop(h_j)) moves
 *       the guide's weight from w_j to w_j^2 and leaves theta alone: total -sum_j (w_j A_j + w_j^2 B_j),
 *       while the added value is exactly 0, so the trained loss is the reported -IWAE-k.
 * </ul>
 * <p>Enumerated latents (mixed models): inside each row the enumerated latent c is summed over its
 * values exactly, so the row's log-weight is l_j = sum_c q(c | .) [log p(x, c, z_j^c) - log q(c | .)
 * - log q(z_j^c | ., c)], the enumerated ELBO at the row's draws of the other latents; the bound is
 * log (1/k) sum_j exp(l_j). It is the enumerated ELBO at k = 1, never decreases with k (the rows are
 * i.i.d.), and stays below log p(x): exp(l_j) <= sum_c p(x, c, z_j^c) / q(z_j^c | ., c) by Jensen,
 * whose expectation is p(x). Its limit as k grows is log E exp(l_j), which is log p(x) when q(c | .)
 * is the exact posterior of c; a model whose latents are all enumerated has deterministic rows, so
 * its bound is the ELBO at every k. q(c | .) is trained through the weights, exactly.
 *
 * <p>Rows carry 1/(batch k) of the mean loss each and a group's log-mean-exp collects k of them, so
 * the per-row correction is scaled by k. w_j = exp(l_j - LME_j) / k, from the bound itself.
 * Unbiased: the score part sum_j w_j C_j equals sum_j (w_j^2 - w_j) B_j in expectation (their eq. 5,
 * one latent at a time, which is why every guide must read only the data).
 */
public final class Iwae extends Objective {
  /** The most samples per example: IWAE-5000 is the usual evaluation bound. */
  public static final int MAX_SAMPLES = 5000;

  @Override public String keyword() { return "iwae"; }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.number("samples", 5.0, 1, false, MAX_SAMPLES, true, "importance samples per example (k)"),
        Setting.choice("gradient", STANDARD, List.of(STANDARD, DREG),
            "the guide's gradient: standard, or dreg for the doubly reparameterized one of Tucker et al. 2019"));
  }

  static final String STANDARD = "standard";
  static final String DREG = "dreg";

  private static boolean dreg(Settings s) { return DREG.equals(s.choice("gradient")); }

  @Override public int samples(Settings s) { return (int) s.number("samples"); }

  @Override
  public String describe(Settings s) {
    int k = samples(s);
    return "IWAE-" + k + " (importance-weighted bound with " + k + " samples per example, Burda et al. 2016; its negative minimized, nats per example);"
        + (dreg(s) ? " guide gradient: doubly reparameterized (DReG, Tucker et al. 2019), model gradient: standard IWAE"
            : " gradient: standard IWAE (each latent's estimator below)");
  }

  @Override
  public List<ReportedTerm> reported() { return reported(Settings.defaults(settings())); }

  @Override
  public List<ReportedTerm> reported(Settings s) {
    int k = samples(s);
    return List.of(new ReportedTerm("loss", "-IWAE-" + k, "neg_iwae", "negative importance-weighted bound with k = " + k),
        new ReportedTerm("elbo", "-ELBO", "neg_elbo", "negative single-sample ELBO, mean over the same k draws"),
        new ReportedTerm("reconstruction", "rec", "reconstruction", "-E log p(x | z), over the same draws"),
        new ReportedTerm("kl", "KL", "kl", "-ELBO less the reconstruction (Monte Carlo)"));
  }

  @Override
  public String whyNoClosedFormKl() {
    return "the iwae objective needs log p(z) - log q(z) at each draw";
  }

  @Override
  public String whyNot(GradientEstimator e, LatentSite z) {
    if (e instanceof StickingTheLanding) {
      return "sticking_the_landing is biased for the iwae objective with the standard gradient (Tucker et al. 2019): use"
          + " reparameterized for latent '" + z.name() + "', or objective = iwae(gradient = dreg), the unbiased doubly"
          + " reparameterized form (DReG), which builds on it";
    }
    if (e instanceof Reparameterized || e.multiSample()) return null;
    // Enumeration sums the rest of the model over the latent's values inside each row (see the class comment).
    if (e.branchesTheRest()) return null;
    if (!z.guide().hasPathwiseSampler()) {
      return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "' (" + z.guide().name() + " has none"
          + (z.guide().isDiscrete() ? "), or, for a discrete latent, enumerate (summed exactly inside each sample) or vimco (samples >= 2)" : ")");
    }
    return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "': " + e.keyword()
        + " is built for the single-sample ELBO (use reparameterized)";
  }

  /**
   * Under {@code gradient = dreg} every latent must be pathwise (it is lowered with
   * sticking_the_landing, {@link #replace}); a multi-sample estimator (VIMCO) needs k >= 2, since
   * its baseline for each sample is built from the others.
   */
  @Override
  public String whyNot(GradientEstimator e, LatentSite z, Settings s) {
    if (dreg(s)) {
      if (!z.guide().hasPathwiseSampler()) {
        return "iwae(gradient = dreg) needs a reparameterized latent: '" + z.name() + "' has a " + z.guide().name()
            + " guide, which has no pathwise sampler";
      }
      if (e instanceof Reparameterized) return null;   // lowered as sticking_the_landing: replace
      return "iwae(gradient = dreg) needs a reparameterized latent: " + e.keyword() + " for '" + z.name()
          + "' has no path through the draw (drop the using clause)";
    }
    if (e.multiSample() && samples(s) < 2) {
      return e.keyword() + " for latent '" + z.name() + "' needs at least 2 samples per example (its baseline for each sample"
          + " is built from the others): use iwae(samples = k) with k >= 2";
    }
    return whyNot(e, z);
  }

  @Override
  public Replacement replace(GradientEstimator e, LatentSite z, Settings s) {
    if (!dreg(s) || !(e instanceof Reparameterized)) return null;
    GradientEstimator stl = Estimators.byKeyword("sticking_the_landing").orElseThrow();
    return new Replacement(stl, "sticking_the_landing: under iwae(gradient = dreg) the guide's gradient is doubly reparameterized"
        + " (Tucker et al. 2019): the path term of log q at held guide arguments, weighted by the squared normalized weights");
  }

  @Override
  public void lower(ObjectiveStep step) {
    Graph g = step.graph();
    Node bound = g.apply(new GroupLogMeanExp(step.samples()), SourceRef.NONE, step.elbo());
    Node loss = g.apply(new Affine(-1, 0), SourceRef.NONE, bound);
    Node negElbo = g.apply(new Affine(-1, 0), SourceRef.NONE, step.elbo());
    Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, step.likelihood());
    g.output("loss", loss);
    g.output("elbo", negElbo);
    g.output("reconstruction", recon);
    g.output("kl", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, negElbo, recon));
    Node trained = step.surrogate() == null ? loss : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, loss, step.surrogate());
    if (!dreg(step.settings()) || !step.training()) {
      // The estimators' surrogates (VIMCO's score terms) are trained, never reported.
      g.setLoss(trained);
      return;
    }
    // DReG (see the class comment): loss + sum_j k stop(w_j - w_j^2) (h_j - stop(h_j)), value 0.
    int k = step.samples();
    Node w = g.apply(new Unary(Unary.Fn.EXP), SourceRef.NONE, g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, step.elbo(), bound));
    w = g.apply(new StopGradient(), SourceRef.NONE, g.apply(new Affine(1.0 / k, 0), SourceRef.NONE, w));
    Node shift = g.apply(new Affine(k, 0), SourceRef.NONE,
        g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, w, g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, w, w)));
    Node held = step.heldElbo();
    Node pathOnly = g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, held, g.apply(new StopGradient(), SourceRef.NONE, held));
    g.setLoss(g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, trained, g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, shift, pathOnly)));
  }
}
