package vaec.stdlib.objectives;

import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.GroupLogMeanExp;
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
 * (reparameterized) gradient for every latent, since the single-sample estimators for discrete or
 * non-pathwise latents are built for the ELBO. It reports -IWAE-k (the loss), and, at the same
 * draws, the mean single-sample -ELBO, its reconstruction part and the rest.
 */
public final class Iwae extends Objective {
  /** The most samples per example: IWAE-5000 is the usual evaluation bound. */
  public static final int MAX_SAMPLES = 5000;

  @Override public String keyword() { return "iwae"; }

  @Override
  public List<Setting> settings() {
    return List.of(Setting.number("samples", 5.0, 1, false, MAX_SAMPLES, true, "importance samples per example (k)"));
  }

  @Override public int samples(Settings s) { return (int) s.number("samples"); }

  @Override
  public String describe(Settings s) {
    int k = samples(s);
    return "IWAE-" + k + " (importance-weighted bound with " + k + " samples per example, Burda et al. 2016; its negative minimized, nats per example)";
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
      return "sticking_the_landing is biased for the iwae objective (Tucker et al. 2019; their doubly reparameterized"
          + " estimator, DReG, is the unbiased form and is not built yet): use reparameterized for latent '" + z.name() + "'";
    }
    if (e instanceof Reparameterized) return null;
    if (!z.guide().hasPathwiseSampler()) {
      return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "' (" + z.guide().name() + " has none"
          + (z.guide().isDiscrete() ? "; VIMCO for discrete latents is not built yet" : "") + ")";
    }
    return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "': " + e.keyword()
        + " is built for the single-sample ELBO (use reparameterized)";
  }

  @Override
  public void lower(ObjectiveStep step) {
    if (step.surrogate() != null) {
      throw new IllegalStateException("iwae lowered with estimator surrogates: the planner admits only pathwise latents under it");
    }
    Graph g = step.graph();
    Node bound = g.apply(new GroupLogMeanExp(step.samples()), SourceRef.NONE, step.elbo());
    Node loss = g.apply(new Affine(-1, 0), SourceRef.NONE, bound);
    Node negElbo = g.apply(new Affine(-1, 0), SourceRef.NONE, step.elbo());
    Node recon = g.apply(new Affine(-1, 0), SourceRef.NONE, step.likelihood());
    g.output("loss", loss);
    g.output("elbo", negElbo);
    g.output("reconstruction", recon);
    g.output("kl", g.apply(new Binary(Binary.Kind.SUB), SourceRef.NONE, negElbo, recon));
    g.setLoss(loss);
  }
}
