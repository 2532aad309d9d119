package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.CountSample;
import vaec.runtime.ops.PoissonLogProb;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * Poisson(rate) or Poisson(log_rate = l), independent per column, over the counts 0, 1, 2, ...
 * (data declared {@code count[n]}): log p(x) = x log(rate) - rate - log x!. Mean rate. No pathwise
 * sampler (its draws are integers): as a latent it gets the score function.
 */
public final class Poisson extends DistributionFamily {
  @Override public String name() { return "Poisson"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("rate", Constraint.POSITIVE)), List.of(new ParamSpec("log_rate", Constraint.REAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.COUNT; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return false; }

  private static boolean byLogRate(Map<String, Node> a) { return a.containsKey("log_rate"); }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return byLogRate(a) ? g.apply(new PoissonLogProb(true), o, value, a.get("log_rate")) : g.apply(new PoissonLogProb(false), o, value, a.get("rate"));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return byLogRate(a) ? g.apply(new Unary(Unary.Fn.EXP), o, a.get("log_rate")) : a.get("rate");
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new CountSample(false), o, mean(g, o, a), u);
  }
}
