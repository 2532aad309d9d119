package vaec.stdlib.estimators;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.graph.Node;
import vaec.stdlib.distributions.KlRule;

/**
 * Pathwise, with log q(z) evaluated at the guide's arguments held constant: the score term, whose
 * expectation is zero, is dropped, and the gradient's variance vanishes as the guide reaches the
 * posterior (Roeder, Wu and Duvenaud 2017).
 */
public final class StickingTheLanding extends Reparameterized {
  @Override public String keyword() { return "sticking_the_landing"; }

  @Override public boolean stacksWithBranches() { return true; }

  @Override
  public String whyNot(LatentSite z) {
    return z.guide().hasPathwiseSampler() ? null : z.guide().name() + " has no pathwise sampler, so there is no path to stick";
  }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    return KlMode.monteCarlo("sticking the landing needs log q(z) at the drawn z");
  }

  @Override
  protected Map<String, Node> densityArgs(LatentStep step, Map<String, Node> qArgs) {
    Map<String, Node> held = new LinkedHashMap<>();
    for (var e : qArgs.entrySet()) held.put(e.getKey(), stop(step.graph(), step.guideOrigin(), e.getValue()));
    return held;
  }
}
