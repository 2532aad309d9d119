package vaec.stdlib.distributions;

import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.NormalLogProb;
import vaec.runtime.ops.NormalRsample;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.Unary;

/**
 * The log-normal distribution: x = exp(y) with y ~ N(loc, scale^2), independent per column;
 * values in (0, inf) (declared real, as Gamma's: {@link ValueDomain} has no positive domain, so
 * positivity is the family's), mean exp(loc + scale^2 / 2). Pathwise sampler exp(loc + scale *
 * eps); log-density log N(log x; loc, scale) - log x. KL between two log-normals equals KL between
 * the normals of their logs (KL is invariant under the bijection log), so against a LogNormal
 * prior the Gaussian closed form applies. Built from existing ops only.
 */
public final class LogNormal extends LocationScaleFamily {
  @Override public String name() { return "LogNormal"; }



  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    Node log = g.apply(new Unary(Unary.Fn.LOG), o, value);
    Node normal = g.apply(new NormalLogProb(), o, log, a.get("loc"), a.get("scale"));
    return g.apply(new Binary(Binary.Kind.SUB), o, normal, g.apply(new RowSum(), o, log));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node eps = g.noise("eps_" + site, NoiseKind.STANDARD_NORMAL, width);
    return g.apply(new Unary(Unary.Fn.EXP), o, g.apply(new NormalRsample(), o, a.get("loc"), a.get("scale"), eps));
  }

  /** exp(loc + scale^2 / 2). */
  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    Node halfVar = g.apply(new Affine(0.5, 0), o, g.apply(new Unary(Unary.Fn.SQUARE), o, a.get("scale")));
    return g.apply(new Unary(Unary.Fn.EXP), o, g.apply(new Binary(Binary.Kind.ADD), o, a.get("loc"), halfVar));
  }

  /** Against a LogNormal prior, the Gaussian closed form on (loc, scale). */
  @Override
  public Optional<KlRule> klTo(DistributionFamily prior) {
    return prior instanceof LogNormal ? Optional.of(KL) : Optional.empty();
  }

  private static final KlRule KL = new KlRule() {
    @Override public String guideFamily() { return "LogNormal"; }
    @Override public String priorFamily() { return "LogNormal"; }
    @Override public String reference() { return "closed form: KL of two log-normals is that of the Gaussians of their logs"; }

    @Override
    public Node lower(Graph g, SourceRef origin, Map<String, Node> q, Map<String, Node> p) {
      return NormalNormalKl.INSTANCE.lower(g, origin, q, p);
    }
  };
}
