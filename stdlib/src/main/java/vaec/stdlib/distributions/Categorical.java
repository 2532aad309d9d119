package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.CategoricalLogitsLogProb;
import vaec.runtime.ops.CategoricalSample;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * One category among K, given K logits; values are one-hot rows of width K. No pathwise sampler:
 * a latent of this family needs the score function, enumeration or a relaxation
 * ({@link Concrete}). The catalog also lists it as OneHotCategorical, PyTorch's name for the
 * one-hot form, which is the only form here.
 */
public final class Categorical extends DistributionFamily {
  private final String name;

  public Categorical() { this("Categorical"); }

  /** The same family under another name, so that messages use the name the model file wrote. */
  public Categorical(String name) { this.name = name; }

  @Override public String name() { return name; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.ONE_HOT; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }
  @Override public double log2SupportSize(int width) { return Math.log(width) / Math.log(2); }
  @Override public java.util.Optional<DistributionFamily> relaxation() { return java.util.Optional.of(new Concrete()); }

  /** Groups of {@code groupSize} classes each, when the value holds more than one group. */
  @Override
  public DistributionFamily grouped(int groupSize, int width) {
    return groupSize < width ? new GroupedFamily(this, groupSize) : this;
  }

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

  /** A one-hot draw by the Gumbel-max trick; no gradient flows through it. */
  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new CategoricalSample(), o, a.get("logits"), u);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new vaec.runtime.ops.Softmax(), o, a.get("logits"));
  }
}
