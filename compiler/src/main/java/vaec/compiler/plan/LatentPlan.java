package vaec.compiler.plan;

import vaec.compiler.ir.Site;
import vaec.compiler.ir.Variable;
import vaec.stdlib.estimators.Baseline;
import vaec.stdlib.estimators.Estimator;

/**
 * The decisions for one latent: its gradient estimator and why (with its control variate, for the
 * score function; with the initial temperature and the surrogate network's width for REBAR and
 * RELAX), and whether its KL term is computed in closed form or by Monte Carlo, and why.
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
    String klReason,
    int surrogateHidden) {
  /** RELAX's surrogate network's hidden width when the model names none. */
  public static final int DEFAULT_SURROGATE_HIDDEN = 100;

  /** REBAR's and RELAX's control-variate scale eta at the start; learned from there. */
  public static final double INITIAL_ETA = 1.0;
}
