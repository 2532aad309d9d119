package vaec.stdlib.estimators;

import vaec.stdlib.distributions.KlRule;

/** How a latent's KL term is computed: by a closed form ({@code rule} non-null) or not, and why. */
public record KlMode(KlRule rule, String reason) {
  public boolean analytic() { return rule != null; }

  public static KlMode closedForm(KlRule rule) { return new KlMode(rule, "analytic: " + rule.reference()); }

  public static KlMode monteCarlo(String why) { return new KlMode(null, "Monte Carlo: " + why); }

  public static KlMode other(String reason) { return new KlMode(null, reason); }
}
