package vaec.compiler.plan;

import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.estimators.Estimator;

/**
 * The decisions for one latent: its gradient estimator and why, and whether its KL term is
 * computed in closed form or by Monte Carlo, and why.
 */
public record LatentPlan(
    Variable latent,
    Site guide,
    Site prior,
    Estimator estimator,
    String estimatorReason,
    boolean analyticKl,
    String klReason) {}
