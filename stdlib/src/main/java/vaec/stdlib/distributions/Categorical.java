package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.CategoricalLogitsLogProb;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * One category among K, given K logits; values are one-hot rows of width K. No pathwise sampler.
 */
public final class Categorical extends DistributionFamily {
  @Override public String name() { return "Categorical"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.ONE_HOT; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }
  @Override public double log2SupportSize(int width) { return Math.log(width) / Math.log(2); }

  @Override
  public List<double[]> enumerate(int width) {
    List<double[]> values = new java.util.ArrayList<>();
    for (int k = 0; k < width; k++) {
      double[] v = new double[width];
      v[k] = 1;
      values.add(v);
    }
    return values;
  }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new CategoricalLogitsLogProb(), o, value, a.get("logits"));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new vaec.runtime.ops.Softmax(), o, a.get("logits"));
  }
}
