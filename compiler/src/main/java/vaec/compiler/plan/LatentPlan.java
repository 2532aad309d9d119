package vaec.compiler.plan;

import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.estimators.Baseline;
import vaec.stdlib.estimators.Estimator;

/**
 * The decisions for one latent: its gradient estimator and why (with its control variate, for the
 * score function), and whether its KL term is computed in closed form or by Monte Carlo, and why.
 */
public record LatentPlan(
    Variable latent,
    Site guide,
    Site prior,
    Estimator estimator,
    Baseline baseline,
    vaec.runtime.graph.Schedule temperature,
    String estimatorReason,
    boolean analyticKl,
    String klReason) {}
