package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;

/**
 * A family of distributions in the catalog: what the compiler needs to check and plan a site
 * (parameterizations, support, whether a pathwise sampler exists, support size for enumeration)
 * and how to lower it to graph nodes (log-density, sampling, mean). Adding a family is adding
 * one subclass and one catalog entry.
 *
 * <p>Lowering methods receive every argument as a node of the value's width (the compiler
 * broadcasts scalar constants), keyed by the parameter names of one parameterization.
 */
public abstract class DistributionFamily {
  public abstract String name();

  /** Alternative argument sets, e.g. Bernoulli(logits) or Bernoulli(probs); the first is the default. */
  public abstract List<List<ParamSpec>> parameterizations();

  /** The values a draw takes, compared against a data or latent declaration's domain. */
  public abstract ValueDomain support();

  /** Whether z = g(params, noise) is differentiable in params: the reparameterization trick applies. */
  public abstract boolean hasPathwiseSampler();

  /** Whether the support is a finite set (then enumeration may apply). */
  public abstract boolean isDiscrete();

  /** log2 of the number of values a draw of the given width can take; infinite when continuous. */
  public double log2SupportSize(int width) { return Double.POSITIVE_INFINITY; }

  /**
   * Every value a draw of the given width can take, as rows; only for discrete families whose
   * support the planner allowed to enumerate.
   */
  public java.util.List<double[]> enumerate(int width) {
    throw new UnsupportedOperationException(name() + " cannot be enumerated");
  }

  /** log p(value) summed over the value's columns: a batch x 1 node. */
  public abstract Node logProb(Graph g, SourceRef origin, Node value, Map<String, Node> args);

  /** A reparameterized draw; only called when {@link #hasPathwiseSampler()}. */
  public Node rsample(Graph g, SourceRef origin, Map<String, Node> args, int width, String site) {
    throw new UnsupportedOperationException(name() + " has no pathwise sampler");
  }

  /** A draw without gradient (ancestral sampling); defaults to the pathwise draw. */
  public Node sample(Graph g, SourceRef origin, Map<String, Node> args, int width, String site) {
    return rsample(g, origin, args, width, site);
  }

  /** The distribution's mean (what reconstructions and sample grids show). */
  public abstract Node mean(Graph g, SourceRef origin, Map<String, Node> args);

  /** The parameterization whose names are exactly {@code names}, or null. */
  public List<ParamSpec> parameterizationFor(java.util.Set<String> names) {
    for (List<ParamSpec> p : parameterizations()) {
      if (p.size() == names.size() && p.stream().allMatch(s -> names.contains(s.name()))) return p;
    }
    return null;
  }

  /** "Normal(loc, scale)" or "Bernoulli(logits) | Bernoulli(probs)", for messages. */
  public String signature() {
    StringBuilder b = new StringBuilder();
    for (List<ParamSpec> p : parameterizations()) {
      if (b.length() > 0) b.append(" or ");
      b.append(name()).append('(');
      for (int i = 0; i < p.size(); i++) b.append(i == 0 ? "" : ", ").append(p.get(i).name());
      b.append(')');
    }
    return b.toString();
  }
}
