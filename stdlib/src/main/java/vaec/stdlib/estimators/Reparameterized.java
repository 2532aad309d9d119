package vaec.stdlib.estimators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.graph.Node;
import vaec.stdlib.distributions.Draw;
import vaec.stdlib.distributions.KlRule;

/**
 * The pathwise (reparameterization) estimator: z = g(params, noise) is differentiable in the
 * guide's parameters (Kingma and Welling 2014). The KL term is in closed form when one exists.
 */
public class Reparameterized extends GradientEstimator {
  @Override public String keyword() { return "reparameterized"; }

  @Override public boolean stacksWithBranches() { return true; }

  @Override
  public String whyNot(LatentSite z) {
    return z.guide().hasPathwiseSampler() ? null
        : z.guide().name() + " has no pathwise (reparameterized) sampler: its draws are not differentiable in its parameters";
  }

  @Override
  public KlMode kl(LatentSite z, Optional<KlRule> closedForm) {
    return closedForm.map(KlMode::closedForm).orElseGet(() -> super.kl(z, closedForm));
  }

  @Override
  public Part lower(LatentStep step) {
    LatentSite z = step.latent();
    Map<String, Node> qArgs = step.guideArgs();
    KlRule rule = step.klMode().rule();
    Node value;
    Node logQ = null;
    if (rule != null) value = z.guide().rsample(step.graph(), step.guideOrigin(), qArgs, z.width(), z.name());
    else {
      // log q(z) along the draw: a flow's log q0(z0) - sum_k log|det J_k|; rsample then logProb otherwise
      Draw d = z.guide().rsampleWithLogProb(step.graph(), step.guideOrigin(), qArgs, a -> densityArgs(step, a), z.width(), z.name());
      value = d.value();
      logQ = d.logProb();
    }
    step.bind(value);
    List<Term> terms = new ArrayList<>();
    if (rule != null) terms.addAll(step.klTerm(rule, qArgs));
    else terms.addAll(step.densityTerms(value, logQ));
    return then(terms, step.rest());
  }

  /** The guide's arguments for log q(z); sticking the landing holds them constant. */
  protected Map<String, Node> densityArgs(LatentStep step, Map<String, Node> qArgs) { return qArgs; }
}
