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
import vaec.runtime.ops.GammaBetaSample;
import vaec.runtime.ops.ImplicitGammaRsample;
import vaec.runtime.ops.KlGammaBeta;
import vaec.runtime.ops.GammaLogProb;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * Gamma(concentration, rate), values in (0, inf) (declared real; positivity is the family's).
 * Its pathwise sampler uses implicit reparameterization (Figurnov, Mohamed and Mnih 2018): a
 * rejection-sampled draw whose gradient in the shape is -(dF/dalpha) / q(z), F the CDF, so the
 * planner gives its latents the pathwise estimator; {@link #sample} is the same draw without gradient.
 */
public final class GammaFamily extends DistributionFamily {
  @Override public String name() { return "Gamma"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("concentration", Constraint.POSITIVE), new ParamSpec("rate", Constraint.POSITIVE)));
  }

  @Override public ValueDomain support() { return ValueDomain.REAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new GammaLogProb(), o, value, a.get("concentration"), a.get("rate"));
  }

  /** The pathwise draw with implicit reparameterization gradients ({@link ImplicitGammaRsample}). */
  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new ImplicitGammaRsample(GammaBetaSample.Kind.GAMMA), o, a.get("concentration"), a.get("rate"), u);
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new GammaBetaSample(GammaBetaSample.Kind.GAMMA), o, a.get("concentration"), a.get("rate"), u);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new Binary(Binary.Kind.DIV), o, a.get("concentration"), a.get("rate"));
  }

  /** Closed form against a Gamma prior ({@link KlGammaBeta}). */
  @Override
  public Optional<KlRule> klTo(DistributionFamily prior) {
    return prior instanceof GammaFamily ? Optional.of(KL) : Optional.empty();
  }

  private static final KlRule KL = new KlRule() {
    @Override public String guideFamily() { return "Gamma"; }
    @Override public String priorFamily() { return "Gamma"; }
    @Override public String reference() { return "closed form for two Gamma distributions"; }

    @Override
    public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
      return g.apply(new KlGammaBeta(GammaBetaSample.Kind.GAMMA), o, q.get("concentration"), q.get("rate"), p.get("concentration"), p.get("rate"));
    }
  };
}
