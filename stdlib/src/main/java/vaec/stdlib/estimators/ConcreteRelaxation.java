package vaec.stdlib.estimators;

import java.util.Map;
import java.util.Optional;
import vaec.runtime.graph.Node;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.KlRule;

/**
 * The latent replaced by its Concrete relaxation, scored with the relaxed densities of both guide
 * and prior, as Maddison et al. (2017) insist: mixing a relaxed draw with discrete densities is
 * not a bound on anything.
 */
public final class ConcreteRelaxation extends Relaxation {
  @Override public String keyword() { return "concrete"; }

  @Override public boolean stacksWithBranches() { return true; }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    return KlMode.other("Monte Carlo with the relaxed densities of guide and prior (Maddison et al. 2017)");
  }

  @Override
  public Part lower(LatentStep step) {
    if (step.valuesOnly()) return ScoreFunction.valuesOnly(step);
    LatentSite z = step.latent();
    DistributionFamily relaxedQ = relaxedGuide(z);
    DistributionFamily relaxedP = relaxedPrior(z);
    Node temperature = temperature(step);
    Map<String, Node> qRel = z.guide().relaxedArgs(step.guideArgs(), temperature);
    Node soft = relaxedQ.rsample(step.graph(), step.guideOrigin(), qRel, z.width(), z.name());
    step.bind(soft);
    Node logQ = relaxedQ.logProb(step.graph(), step.guideOrigin(), soft, qRel);
    return then(step.densityTerms(soft, logQ, relaxedP, pArgs -> z.prior().relaxedArgs(pArgs, temperature)), step.rest());
  }
}
