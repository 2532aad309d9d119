package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.DirichletLogProb;
import vaec.runtime.ops.DirichletRsample;
import vaec.runtime.ops.KlDirichlet;
import vaec.runtime.ops.RowNormalize;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * Dirichlet(concentration) over the probability simplex: one draw is the whole value (its K
 * columns are positive and sum to 1; declare the latent {@code real[K] in [0, 1]}). Pathwise
 * sampler: normalized Gammas, z = x / sum(x) with x_k ~ Gamma(concentration_k, 1), each with its
 * implicit reparameterization gradient (Figurnov, Mohamed and Mnih 2018). Mean concentration /
 * sum(concentration). Against a Dirichlet prior the KL is in closed form ({@link KlDirichlet}), as
 * for Gamma-Gamma and Beta-Beta; against any other prior the plan uses a Monte Carlo estimate.
 */
public final class Dirichlet extends DistributionFamily {
  @Override public String name() { return "Dirichlet"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("concentration", Constraint.POSITIVE)));
  }

  @Override public ValueDomain support() { return ValueDomain.UNIT_INTERVAL; }
  @Override public boolean hasPathwiseSampler() { return true; }
  @Override public boolean isDiscrete() { return false; }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new DirichletLogProb(), o, value, a.get("concentration"));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new DirichletRsample(), o, a.get("concentration"), u);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new RowNormalize(), o, a.get("concentration"));
  }

  /** Closed form against a Dirichlet prior ({@link KlDirichlet}). */
  @Override
  public Optional<KlRule> klTo(DistributionFamily prior) {
    return prior instanceof Dirichlet ? Optional.of(KL) : Optional.empty();
  }

  private static final KlRule KL = new KlRule() {
    @Override public String guideFamily() { return "Dirichlet"; }
    @Override public String priorFamily() { return "Dirichlet"; }
    @Override public String reference() { return "closed form for two Dirichlet distributions"; }

    @Override
    public Node lower(Graph g, SourceRef o, Map<String, Node> q, Map<String, Node> p) {
      return g.apply(new KlDirichlet(), o, q.get("concentration"), p.get("concentration"));
    }
  };
}
