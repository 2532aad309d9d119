package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.KlMvn;
import vaec.runtime.ops.MvnLogProb;
import vaec.runtime.ops.MvnRsample;
import vaec.runtime.ops.ScaleTril;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * The full-covariance Gaussian MultivariateNormal(loc, scale_tril): z = loc + L eps with
 * eps ~ N(0, I) and L lower triangular with a positive diagonal (004 section 4.3), covariance
 * L L^T. For a value of width D, scale_tril has width D (D + 1) / 2 values t, row by row
 * (t[0,0], t[1,0], t[1,1], t[2,0], ...): row i of L is exp(t[i,i]) (t[i,0], ..., t[i,i-1], 1),
 * i.e. L = diag(exp(diagonal of t)) U with U unit lower triangular holding the off-diagonal values
 * ({@link ScaleTril}). Any real row is a valid scale; log |det L| is the sum of the diagonal's t. A
 * number is broadcast: MultivariateNormal(0, 0) is N(0, I).
 *
 * <p>Closed-form KL to a Normal prior (diagonal, fused when it is N(0, 1)) and to another
 * MultivariateNormal; against any other prior the plan uses a Monte Carlo estimate.
 */
public final class MultivariateNormal extends DistributionFamily {
  static final String SCALE = "scale_tril";

  @Override public String name() { return "MultivariateNormal"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("loc", Constraint.REAL), new ParamSpec(SCALE, Constraint.REAL)));
  }

  @Override
  public int parameterWidth(String parameter, int valueWidth) {
    return parameter.equals(SCALE) ? ScaleTril.packedWidth(valueWidth) : valueWidth;
  }

  @Override public ValueDomain support() { return ValueDomain.REAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new MvnLogProb(), o, value, a.get("loc"), a.get(SCALE));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node eps = g.noise("eps_" + site, NoiseKind.STANDARD_NORMAL, width);
    return g.apply(new MvnRsample(), o, a.get("loc"), a.get(SCALE), eps);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) { return a.get("loc"); }

  @Override
  public Optional<KlRule> klTo(DistributionFamily prior) {
    if (prior instanceof Normal) return Optional.of(TO_NORMAL);
    if (prior instanceof MultivariateNormal) return Optional.of(TO_FULL);
    return Optional.empty();
  }

  private static boolean isConstant(Node n, double v) {
    return n.kind() == Node.Kind.CONSTANT && n.constant() == v;
  }

  private static final KlRule TO_NORMAL = new KlRule() {
    @Override public String guideFamily() { return "MultivariateNormal"; }
    @Override public String priorFamily() { return "Normal"; }
    @Override public String reference() { return "closed form for a full-covariance Gaussian against a diagonal one"; }

    @Override
    public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
      if (isConstant(p.get("loc"), 0.0) && isConstant(p.get("scale"), 1.0)) {
        return g.apply(new KlMvn(KlMvn.Prior.STANDARD_NORMAL), o, q.get("loc"), q.get(SCALE));
      }
      return g.apply(new KlMvn(KlMvn.Prior.DIAGONAL), o, q.get("loc"), q.get(SCALE), p.get("loc"), p.get("scale"));
    }
  };

  private static final KlRule TO_FULL = new KlRule() {
    @Override public String guideFamily() { return "MultivariateNormal"; }
    @Override public String priorFamily() { return "MultivariateNormal"; }
    @Override public String reference() { return "closed form for two full-covariance Gaussians"; }

    @Override
    public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
      return g.apply(new KlMvn(KlMvn.Prior.FULL), o, q.get("loc"), q.get(SCALE), p.get("loc"), p.get(SCALE));
    }
  };
}
