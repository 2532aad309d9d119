package vaec.stdlib.estimators;

import java.util.List;
import java.util.Optional;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Schedule;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.KlRule;

/**
 * What the two Concrete-relaxation estimators share (Maddison, Mnih and Teh 2017; Jang, Gu and
 * Poole 2017): the relaxed family of a Bernoulli or Categorical latent, built from its logits, at a
 * temperature that is fixed or annealed by the training step. Where only values are wanted (the
 * evaluation graph), the latent is drawn discretely, so the reported ELBO is the model's own.
 */
public abstract class Relaxation extends GradientEstimator {
  /** Temperature when the model names none (Jang et al. use 0.5 to 1). */
  public static final double DEFAULT_TEMPERATURE = 0.5;

  @Override
  public String whyNot(LatentSite z) {
    if (z.guide().relaxation().isEmpty()) return z.guide().name() + " has no Concrete relaxation (only Bernoulli and Categorical do)";
    for (boolean guide : new boolean[] {true, false}) {
      DistributionFamily f = guide ? z.guide() : z.prior();
      if (f.relaxation().isPresent() && !f.canRelax(guide ? z.guideArgs() : z.priorArgs())) {
        return "it relaxes " + f.name() + " through its logits, but the " + (guide ? "guide" : "prior") + " of '" + z.name()
            + "' gives probs; write the distribution with logits = ...";
      }
    }
    return null;
  }

  @Override
  public List<Setting> settings() {
    return List.of(
        Setting.number("temperature", DEFAULT_TEMPERATURE, 0, true, Double.POSITIVE_INFINITY, false, "the relaxation's temperature"),
        Setting.number("anneal", 0.0, 0, false, Double.POSITIVE_INFINITY, false,
            "rate r of the schedule max(min_temperature, temperature exp(-r step)); 0 keeps it fixed"),
        Setting.number("min_temperature", Double.NaN, 0, true, Double.POSITIVE_INFINITY, false, "the annealed temperature's floor"));
  }

  /** The temperature over the training steps: fixed, or annealed to a floor (by default 0.5, or the start if lower). */
  public static Schedule schedule(Settings s) {
    double t = s.number("temperature");
    double anneal = s.number("anneal");
    double min = s.number("min_temperature");
    return new Schedule(t, anneal, !Double.isNaN(min) ? Math.min(min, t) : anneal > 0 ? Math.min(DEFAULT_TEMPERATURE, t) : t);
  }

  @Override
  public String describe(LatentSite z, Settings s) { return "temperature " + schedule(s); }

  /** The guide's relaxation; the prior's, or the guide's when the prior family has none. */
  static DistributionFamily relaxedGuide(LatentSite z) { return z.guide().relaxation().orElseThrow(); }

  static DistributionFamily relaxedPrior(LatentSite z) { return z.prior().relaxation().orElse(relaxedGuide(z)); }

  /** The temperature as a node of the latent's width. */
  static Node temperature(LatentStep step) {
    Schedule t = schedule(step.settings());
    return t.isFixed() ? step.constant(t.initial(), step.latent().width()) : step.scheduled(t, step.latent().width());
  }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    return KlMode.monteCarlo("discrete log p(z) - log q(z) at the hard draw");
  }
}
