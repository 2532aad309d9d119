package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.KlNormalNormal;
import vaec.runtime.ops.KlNormalStdNormal;

/**
 * KL between diagonal Gaussians. When the prior is the constant N(0, 1) it lowers to the fused
 * standard-normal form (a peephole fusion: half the arithmetic, two fewer inputs).
 */
public final class NormalNormalKl implements KlRule {
  /** The one instance {@link Normal#klTo} returns; the rule holds no state. */
  public static final NormalNormalKl INSTANCE = new NormalNormalKl();

  @Override public String guideFamily() { return "Normal"; }
  @Override public String priorFamily() { return "Normal"; }
  @Override public String reference() { return "closed form for two diagonal Gaussians (Kingma and Welling 2014)"; }

  @Override
  public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
    Node loc = p.get("loc");
    Node scale = p.get("scale");
    if (isConstant(loc, 0.0) && isConstant(scale, 1.0)) {
      return g.apply(new KlNormalStdNormal(), o, q.get("loc"), q.get("scale"));
    }
    return g.apply(new KlNormalNormal(), o, q.get("loc"), q.get("scale"), loc, scale);
  }

  private static boolean isConstant(Node n, double v) {
    return n.kind() == Node.Kind.CONSTANT && n.constant() == v;
  }
}
