package vaec.stdlib.estimators;

import java.util.Map;
import vaec.runtime.graph.Node;
import vaec.stdlib.distributions.DistributionFamily;

/**
 * Straight-through Gumbel-softmax (Jang, Gu and Poole 2017; Bengio et al. 2013): the model sees
 * the hardened draw, the relaxed draw carries the gradient backward, and the discrete densities
 * score the hard value. Biased, and often the quietest.
 */
public final class StraightThrough extends Relaxation {
  @Override public String keyword() { return "straight_through"; }

  @Override public boolean stacksWithBranches() { return true; }

  @Override
  public Part lower(LatentStep step) {
    if (step.valuesOnly()) return ScoreFunction.valuesOnly(step);
    LatentSite z = step.latent();
    DistributionFamily relaxedQ = relaxedGuide(z);
    Map<String, Node> qArgs = step.guideArgs();
    Node soft = relaxedQ.rsample(step.graph(), step.guideOrigin(), z.guide().relaxedArgs(qArgs, temperature(step)), z.width(), z.name());
    Node value = relaxedQ.straightThrough(step.graph(), step.guideOrigin(), soft);
    step.bind(value);
    Node logQ = z.guide().logProb(step.graph(), step.guideOrigin(), value, qArgs);
    return then(step.densityTerms(value, logQ), step.rest());
  }
}
