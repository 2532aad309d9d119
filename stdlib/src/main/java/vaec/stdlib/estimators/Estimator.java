package vaec.stdlib.estimators;

import vaec.stdlib.distributions.DistributionFamily;

/**
 * The gradient estimators a latent variable can be given (000 ch. 5-6, 002, 003). The planner
 * picks one per latent from the guide family's properties; a model may ask for one with
 * {@code using NAME(...)}, and {@link #whyNot} says when that cannot work.
 */
public enum Estimator {
  REPARAMETERIZED("reparameterized"),
  SCORE_FUNCTION("score_function"),
  ENUMERATION("enumerate"),
  /** The discrete latent replaced by its Concrete relaxation, scored with relaxed densities. */
  CONCRETE("concrete"),
  /** Hard draws forward, the relaxed draw's gradient backward (straight-through Gumbel-softmax). */
  STRAIGHT_THROUGH("straight_through"),
  /** Pathwise, with the score term of the guide's density dropped (Roeder et al.; 000 ch. 6). */
  STICKING_THE_LANDING("sticking_the_landing"),
  /**
   * Score function with the relaxed objective as control variate, made unbiased by the
   * conditional relaxed draw; the temperature and the control variate's scale are learned to
   * minimize the estimator's variance (Tucker et al. 2017; 000 section 5.3.2).
   */
  REBAR("rebar"),
  /** REBAR's control variate plus a learned surrogate network, all trained for low variance (Grathwohl et al. 2018; 003). */
  RELAX("relax");

  /** Whether the estimator learns a control variate through the relaxation (REBAR, RELAX). */
  public boolean learnsControlVariate() { return this == REBAR || this == RELAX; }

  /** The relaxation of a discrete family by name: Bernoulli and Categorical have one. */
  public static String relaxationOf(DistributionFamily f) {
    return switch (f.name()) {
      case "Bernoulli" -> "RelaxedBernoulli";
      case "Categorical", "OneHotCategorical" -> "Concrete";
      default -> null;
    };
  }

  /** The largest support the planner enumerates on its own: 2^6 = 64 values. */
  public static final double ENUMERATION_LIMIT_LOG2 = 6;
  /** What a user may force with {@code using enumerate}: 2^16 = 65,536 values per example. */
  public static final double ENUMERATION_MAX_LOG2 = 16;

  private final String keyword;

  Estimator(String keyword) { this.keyword = keyword; }

  public String keyword() { return keyword; }

  public static Estimator byKeyword(String k) {
    for (Estimator e : values()) if (e.keyword.equals(k)) return e;
    return null;
  }

  /** Null when this estimator can serve a latent of that family and width, else the reason. */
  public String whyNot(DistributionFamily f, int width) {
    return switch (this) {
      case REPARAMETERIZED -> f.hasPathwiseSampler() ? null
          : f.name() + " has no pathwise (reparameterized) sampler: its draws are not differentiable in its parameters";
      case SCORE_FUNCTION -> null;
      case REBAR, RELAX -> f.name().equals("Bernoulli") ? null
          : f.name() + " is not binary: " + keyword + " is built here on the logistic relaxation of Bernoulli latents"
              + " (for categorical latents use concrete, straight_through or score_function)";
      case CONCRETE, STRAIGHT_THROUGH -> relaxationOf(f) != null ? null
          : f.name() + " has no Concrete relaxation (only Bernoulli and Categorical do)";
      case STICKING_THE_LANDING -> f.hasPathwiseSampler() ? null
          : f.name() + " has no pathwise sampler, so there is no path to stick";
      case ENUMERATION -> !f.isDiscrete() ? f.name() + " is continuous: there is nothing finite to enumerate"
          : f.log2SupportSize(width) > ENUMERATION_MAX_LOG2
              ? String.format("%s[%d] has 2^%.0f values per example, more than the 2^%.0f enumeration can sum", f.name(), width,
                  f.log2SupportSize(width), ENUMERATION_MAX_LOG2)
              : null;
    };
  }

  /** The planner's choice for a latent when the model names none, with the reason. */
  public static Choice choose(DistributionFamily f, int width) {
    if (f.hasPathwiseSampler()) {
      return new Choice(REPARAMETERIZED, "reparameterized: " + f.name() + " has a pathwise sampler");
    }
    if (f.isDiscrete() && f.log2SupportSize(width) <= ENUMERATION_LIMIT_LOG2) {
      return new Choice(ENUMERATION, String.format("enumeration: %s[%d] has only %.0f values, summed exactly", f.name(), width,
          Math.pow(2, f.log2SupportSize(width))));
    }
    return new Choice(SCORE_FUNCTION, "score function: " + f.name() + " has no pathwise sampler"
        + (f.isDiscrete() ? " and too many values to enumerate" : ""));
  }

  /** A planned estimator and why. */
  public record Choice(Estimator estimator, String reason) {}
}
