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
 * (reparameterized) gradient for every latent, or VIMCO for a discrete one (k >= 2), since the
 * other estimators for discrete or non-pathwise latents are built for the single-sample ELBO. It
 * reports -IWAE-k (the loss), and, at the same draws, the mean single-sample -ELBO, its
 * reconstruction part and the rest; the estimators' surrogates are added to the trained loss only.
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
    if (e instanceof Reparameterized || e.multiSample()) return null;
    if (!z.guide().hasPathwiseSampler()) {
      return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "' (" + z.guide().name() + " has none"
          + (z.guide().isDiscrete() ? "), or vimco (samples >= 2) for a discrete latent" : ")");
    }
    return "the iwae objective needs a pathwise estimator for latent '" + z.name() + "': " + e.keyword()
        + " is built for the single-sample ELBO (use reparameterized)";
  }

  /** A multi-sample estimator (VIMCO) needs k >= 2: its baseline for each sample is built from the others. */
  @Override
  public String whyNot(GradientEstimator e, LatentSite z, Settings s) {
    if (e.multiSample() && samples(s) < 2) {
      return e.keyword() + " for latent '" + z.name() + "' needs at least 2 samples per example (its baseline for each sample"
          + " is built from the others): use iwae(samples = k) with k >= 2";
    }
    return whyNot(e, z);
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
    // The estimators' surrogates (VIMCO's score terms) are trained, never reported.
    g.setLoss(step.surrogate() == null ? loss : g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, loss, step.surrogate()));
  }
}
