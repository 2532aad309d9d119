package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.RelaxedBernoulliLogProb;
import vaec.runtime.ops.RelaxedBernoulliRsample;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * The binary Concrete distribution (relaxed Bernoulli; Maddison et al. 2017, Jang et al. 2017):
 * independent continuous variables in (0, 1) that tend to Bernoulli(sigmoid(logits)) draws as the
 * temperature goes to 0. It lets a binary latent be trained with the pathwise gradient, at the
 * price of a bias that the temperature trades against variance (000 sec. 5.3.1). Arguments:
 * {@code logits}, and {@code temperature}, a positive constant.
 */
public final class RelaxedBernoulli extends DistributionFamily {
  @Override public String name() { return "RelaxedBernoulli"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL),
        new ParamSpec(RelaxationTemperature.ARGUMENT, Constraint.POSITIVE)));
  }

  @Override public ValueDomain support() { return ValueDomain.UNIT_INTERVAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new RelaxedBernoulliLogProb(RelaxationTemperature.scheduleOf(name(), a)), o, value, a.get("logits"));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new RelaxedBernoulliRsample(RelaxationTemperature.scheduleOf(name(), a)), o, a.get("logits"), u);
  }

  /**
   * sigmoid(logits): the mean of the Bernoulli being relaxed, which the relaxation's own mean
   * (no closed form) tends to as the temperature goes to 0.
   */
  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new Unary(Unary.Fn.SIGMOID), o, a.get("logits"));
  }
}
