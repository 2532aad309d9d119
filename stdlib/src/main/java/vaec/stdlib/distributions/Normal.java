package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.NormalLogProb;
import vaec.runtime.ops.NormalRsample;

/** The diagonal Gaussian N(loc, scale^2), with the pathwise sampler loc + scale * eps. */
public final class Normal extends LocationScaleFamily {
  @Override public String name() { return "Normal"; }



  /** Closed form against a Normal prior ({@link NormalNormalKl}). */
  @Override
  public java.util.Optional<KlRule> klTo(DistributionFamily prior) {
    return prior instanceof Normal ? java.util.Optional.of(NormalNormalKl.INSTANCE) : java.util.Optional.empty();
  }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new NormalLogProb(), o, value, a.get("loc"), a.get("scale"));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node eps = g.noise("eps_" + site, NoiseKind.STANDARD_NORMAL, width);
    return g.apply(new NormalRsample(), o, a.get("loc"), a.get("scale"), eps);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) { return a.get("loc"); }
}
