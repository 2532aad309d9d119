package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.BetaLogProb;
import vaec.runtime.ops.GammaBetaSample;
import vaec.runtime.ops.ImplicitGammaRsample;
import vaec.runtime.ops.KlGammaBeta;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * Beta(concentration1, concentration0) on (0, 1). Pathwise sampler: x1 / (x1 + x2) for
 * x1 ~ Gamma(concentration1), x2 ~ Gamma(concentration0), each with its implicit reparameterization
 * gradient (Figurnov, Mohamed and Mnih 2018), so its latents get the pathwise estimator.
 */
public final class BetaFamily extends DistributionFamily {
  @Override public String name() { return "Beta"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("concentration1", Constraint.POSITIVE), new ParamSpec("concentration0", Constraint.POSITIVE)));
  }

  @Override public ValueDomain support() { return ValueDomain.UNIT_INTERVAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new BetaLogProb(), o, value, a.get("concentration1"), a.get("concentration0"));
  }

  /** The pathwise draw with implicit reparameterization gradients ({@link ImplicitGammaRsample}). */
  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new ImplicitGammaRsample(GammaBetaSample.Kind.BETA), o, a.get("concentration1"), a.get("concentration0"), u);
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new GammaBetaSample(GammaBetaSample.Kind.BETA), o, a.get("concentration1"), a.get("concentration0"), u);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    Node sum = g.apply(new Binary(Binary.Kind.ADD), o, a.get("concentration1"), a.get("concentration0"));
    return g.apply(new Binary(Binary.Kind.DIV), o, a.get("concentration1"), sum);
  }

  /** Closed form against a Beta prior ({@link KlGammaBeta}). */
  @Override
  public Optional<KlRule> klTo(DistributionFamily prior) {
    return prior instanceof BetaFamily ? Optional.of(KL) : Optional.empty();
  }

  private static final KlRule KL = new KlRule() {
    @Override public String guideFamily() { return "Beta"; }
    @Override public String priorFamily() { return "Beta"; }
    @Override public String reference() { return "closed form for two Beta distributions"; }

    @Override
    public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
      return g.apply(new KlGammaBeta(GammaBetaSample.Kind.BETA), o, q.get("concentration1"), q.get("concentration0"), p.get("concentration1"), p.get("concentration0"));
    }
  };
}
