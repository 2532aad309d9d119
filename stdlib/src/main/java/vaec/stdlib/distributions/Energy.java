package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.PotentialEnergy;

/**
 * An unnormalized density exp(-U(z)) on a 2-D latent: the four test energies U1 to U4 of Rezende
 * and Mohamed (2015, Table 1), written {@code prior z ~ U1()}. It is a prior only, of a model
 * without data ({@code dataset = none}): the guide is then fitted by minimizing E_q[log q(z) +
 * U(z)] = KL(q || p) - log Z, the negative ELBO of a model whose prior is -U and whose likelihood is
 * empty. Its log "density" is -U(z); the normalizer Z is unknown to the graph (the run computes it
 * on a grid). It has no sampler and no mean.
 */
public final class Energy extends DistributionFamily {
  /** The latent width every energy is defined on. */
  public static final int WIDTH = 2;

  private final int which;

  public Energy(int which) {
    if (which < 1 || which > 4) throw new IllegalArgumentException("no energy U" + which);
    this.which = which;
  }

  /** 1 to 4. */
  public int which() { return which; }

  @Override public String name() { return "U" + which; }

  @Override public List<List<ParamSpec>> parameterizations() { return List.of(List.of()); }

  @Override public ValueDomain support() { return ValueDomain.REAL; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return false; }

  /**
   * The prior of a 2-D real latent of a model without data, and nowhere else: its normalizer is
   * unknown (a likelihood's or a guide's density must be normalized, and log p(x) of a model with
   * data would be off by log Z) and it has no sampler.
   */
  @Override
  public Misplaced misplaced(Placement at) {
    if (at.section() != Section.PRIOR) {
      return new Misplaced(name() + " is an unnormalized density exp(-U(z)) with no sampler: it can only be a prior, not a "
          + (at.section() == Section.GUIDE ? "guide" : "likelihood"),
          "write prior " + at.variable() + " ~ " + name() + "() and fit a guide to it, such as Planar(Normal(0, 1), length = 8)");
    }
    if (at.width() != WIDTH) {
      return new Misplaced(name() + " is a density on 2-D points, but '" + at.variable() + "' has width " + at.width(),
          "declare it as: latent " + at.variable() + " : real[2]");
    }
    if (at.modelHasData()) {
      return new Misplaced(name() + " is unnormalized: it is the prior of a model without data, which fits its guide to exp(-U(z)); "
          + "with data, log p(x) would be off by its unknown normalizer",
          "remove the data and likelihood and write dataset = none in the train section");
    }
    return null;
  }

  /** -U(z) per row, summed over nothing else: a batch x 1 node. */
  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> args) {
    return g.apply(new PotentialEnergy(which), o, value);
  }

  /** U(z1, z2) in float64, as the graph computes it (for the run's grid and the tests). */
  public double energy(double z1, double z2) { return PotentialEnergy.energy(which, z1, z2, null); }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    throw new UnsupportedOperationException(name() + " is an unnormalized density with no sampler");
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    throw new UnsupportedOperationException(name() + " is an unnormalized density with no mean");
  }
}
