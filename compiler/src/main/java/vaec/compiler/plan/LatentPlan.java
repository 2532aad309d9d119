package vaec.compiler.plan;

import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.estimators.GradientEstimator;
import vaec.stdlib.estimators.KlMode;
import vaec.stdlib.estimators.LatentSite;
import vaec.stdlib.estimators.Settings;

/**
 * The decisions for one latent: its gradient estimator with its settings and why, and how its KL
 * term is computed and why. {@code site} is what the estimator is told about the latent.
 */
public record LatentPlan(
    Variable latent,
    Site guide,
    Site prior,
    LatentSite site,
    GradientEstimator estimator,
    Settings settings,
    String estimatorReason,
    KlMode kl) {

  public boolean analyticKl() { return kl.analytic(); }

  public String klReason() { return kl.reason(); }
}
