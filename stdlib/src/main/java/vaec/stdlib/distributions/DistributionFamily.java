package vaec.stdlib.distributions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>A family also owns what the planner and the lowering would otherwise decide by its name: the
 * domain its draws lie in ({@link #drawDomain}), its form for grouped one-hot values
 * ({@link #grouped}), its continuous relaxation and how to map its arguments onto it
 * ({@link #relaxation}, {@link #canRelax}, {@link #relaxedArgs}), how a relaxed draw is hardened
 * ({@link #harden}, {@link #straightThrough}), the conditional relaxation REBAR and RELAX need
 * ({@link #conditionalRelaxation}), and its closed-form KL divergences to priors
 * ({@link #klTo}). No code outside this package needs to compare family names.
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

  /** The model section a site stands in. */
  public enum Section { PRIOR, GUIDE, LIKELIHOOD }

  /** Where a site of a family stands: its section, the variable it draws or scores, that variable's width, and whether the model reads data. */
  public record Placement(Section section, String variable, int width, boolean modelHasData) {}

  /** Why a family cannot stand where it was written, and what to write instead. */
  public record Misplaced(String why, String hint) {}

  /**
   * Whether this family may stand at {@code place}, beyond its parameters and domain (which the
   * compiler checks for every family): null when it may, else the reason and a hint, which the
   * compiler reports at the call. By default a family may stand anywhere its domain allows.
   */
  public Misplaced misplaced(Placement place) { return null; }

  /**
   * The values a draw takes: what a latent of this family must be declared as. By default the
   * support; Bernoulli scores data anywhere in [0, 1] but draws only 0 and 1.
   */
  public ValueDomain drawDomain() { return support(); }

  /**
   * The width of argument {@code parameter} for a value of width {@code valueWidth}. Every
   * argument of the families here is as wide as the value (a number is broadcast to it).
   */
  public int parameterWidth(String parameter, int valueWidth) { return valueWidth; }

  /**
   * This family for a value of {@code width} columns declared as groups of {@code groupSize}
   * (e.g. {@code onehot[20, 10]}: width 200, groups of 10). Families whose draws are one value
   * over all columns (one-hot) return a {@link GroupedFamily}; the others are column-wise
   * already and return themselves.
   */
  public DistributionFamily grouped(int groupSize, int width) { return this; }

  /**
   * This family at the site of variable {@code variable}, given the arguments written as numbers
   * ({@code constants}, by parameter name). A family whose lowering reads parameters of its own (a
   * codebook, named after its variable) returns a copy that knows them; the others return
   * themselves.
   */
  public DistributionFamily atSite(String variable, Map<String, Double> constants) { return this; }

  /**
   * The learned codebook this family's values come from (a VQ guide, a prior over codes), or empty.
   */
  public Optional<Codebook> codebook() { return Optional.empty(); }

  /**
   * Null when q(z | x) of this family has a density to score, sample and enumerate, else why not:
   * a deterministic quantizer (VQ) puts all its mass on one value, and a flow knows log q only
   * along its own draws ({@link #scoresAnyValue}), so the score function, enumeration and VIMCO,
   * which score given values, cannot serve them.
   */
  public String whyNoDensity() {
    return scoresAnyValue() ? null
        : name() + " gives log q(z) only along its own draws, so there is no score log q(z) to differentiate at a fixed z";
  }

  // ---- relaxation (Concrete, straight-through) ----

  /**
   * The continuous relaxation of this discrete family, of the same width and grouping:
   * Bernoulli to RelaxedBernoulli, Categorical to Concrete, a grouped family to its grouped
   * relaxation. Empty when the family has none.
   */
  public Optional<DistributionFamily> relaxation() { return Optional.empty(); }

  /**
   * Whether arguments given by these names can be handed to the relaxation: it exists and every
   * argument it takes other than the temperature is among them (Bernoulli by probs cannot be).
   */
  public boolean canRelax(Set<String> argumentNames) {
    return relaxation().map(r -> r.parameterizations().get(0).stream()
        .filter(p -> !p.name().equals(RelaxationTemperature.ARGUMENT))
        .allMatch(p -> argumentNames.contains(p.name()))).orElse(false);
  }

  /**
   * The relaxation's arguments from this family's arguments and a temperature node (a constant,
   * fixed or scheduled). Throws IllegalArgumentException, naming the family, when
   * {@link #canRelax} is false for these arguments.
   */
  public Map<String, Node> relaxedArgs(Map<String, Node> args, Node temperature) {
    if (!canRelax(args.keySet())) {
      throw new IllegalArgumentException(relaxation().isEmpty() ? name() + " has no continuous relaxation"
          : name() + " must be given by " + relaxationDrivers() + " for its relaxation, not " + String.join(", ", args.keySet()));
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (ParamSpec p : relaxation().orElseThrow().parameterizations().get(0)) {
      out.put(p.name(), p.name().equals(RelaxationTemperature.ARGUMENT) ? temperature : args.get(p.name()));
    }
    return out;
  }

  private String relaxationDrivers() {
    return String.join(", ", relaxation().orElseThrow().parameterizations().get(0).stream()
        .map(ParamSpec::name).filter(n -> !n.equals(RelaxationTemperature.ARGUMENT)).toList());
  }

  /**
   * On a relaxed family: the hard value nearest a relaxed draw {@code soft} (the one-hot of its
   * largest entry per group for Concrete, 1 where it exceeds 1/2 for RelaxedBernoulli); a draw of
   * the discrete family being relaxed. Not differentiable.
   */
  public Node harden(Graph g, SourceRef origin, Node soft) {
    throw new UnsupportedOperationException(name() + " is not a relaxation: it has no hard values to round to");
  }

  /**
   * On a relaxed family: the straight-through value of a relaxed draw, {@link #harden} forward
   * and the gradient of {@code soft} backward.
   */
  public Node straightThrough(Graph g, SourceRef origin, Node soft) {
    return g.apply(new vaec.runtime.ops.StraightThrough(), origin, harden(g, origin, soft), soft);
  }

  /**
   * The relaxation that REBAR and RELAX are built on: an unconditional relaxed draw whose
   * hardening is a draw of this family, and a relaxed draw conditioned on that hard value
   * (Tucker et al. 2017). Only Bernoulli has one here.
   */
  public Optional<ConditionalRelaxation> conditionalRelaxation() { return Optional.empty(); }

  // ---- KL ----

  /**
   * The closed-form KL(this || prior) when one is known, owned by the guide's family; empty
   * means the plan uses a Monte Carlo estimate.
   */
  public Optional<KlRule> klTo(DistributionFamily prior) { return Optional.empty(); }

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

  /**
   * A reparameterized draw with its log-density, log q(value), at the arguments
   * {@code densityArgs.apply(args)} (sticking the landing holds them constant). By default
   * {@link #rsample} then {@link #logProb}; a family that can only score its own draws (a
   * normalizing flow without an inverse: log q0(z0) - sum_k log|det J_k|) computes it along the draw.
   */
  public Draw rsampleWithLogProb(Graph g, SourceRef origin, Map<String, Node> args,
                                 java.util.function.UnaryOperator<Map<String, Node>> densityArgs, int width, String site) {
    Node value = rsample(g, origin, args, width, site);
    return new Draw(value, logProb(g, origin, value, densityArgs.apply(args)));
  }

  /**
   * Whether {@link #logProb} scores any given value. False for a family whose density is known only
   * along its own draws ({@link #rsampleWithLogProb}): score-function estimators and bounds that
   * rescore a draw need the former.
   */
  public boolean scoresAnyValue() { return true; }

  /** Why KL(this || prior) has no closed form, for the plan (when {@link #klTo} is empty). */
  public String noClosedFormKl(DistributionFamily prior) {
    return "no closed form for KL(" + name() + " || " + prior.name() + ")";
  }

  /** Global parameters this family adds for the latent it draws (a flow's), with their start. */
  public List<vaec.runtime.model.ParamInit> params(String latent) { return List.of(); }

  /** The site as the compile summary shows it: "Normal(loc, scale)", a flow with its length and parameter count. */
  public String describeSite(java.util.Collection<String> argumentNames) {
    return name() + "(" + String.join(", ", argumentNames) + ")";
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
