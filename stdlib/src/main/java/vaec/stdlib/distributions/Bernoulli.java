package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.BernoulliLogitsLogProb;
import vaec.runtime.ops.BernoulliProbsLogProb;
import vaec.runtime.ops.BernoulliSample;
import vaec.runtime.ops.ConditionalLogistic;
import vaec.runtime.ops.Heaviside;
import vaec.runtime.ops.LogisticNoise;
import vaec.runtime.ops.LogisticRsample;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.TemperedSigmoid;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * Independent Bernoulli variables, by logits (preferred: stable for any logit) or probabilities.
 * As a likelihood it also accepts data in [0, 1], where its log-probability is the negated binary
 * cross-entropy that the classic VAE uses on grey-level images. No pathwise sampler: a latent of
 * this family needs the score function, enumeration or a relaxation ({@link RelaxedBernoulli}).
 * Ancestral sampling draws 0/1 values; sample grids of a Bernoulli likelihood show its mean.
 */
public final class Bernoulli extends DistributionFamily {
  @Override public String name() { return "Bernoulli"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL)), List.of(new ParamSpec("probs", Constraint.UNIT_INTERVAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.UNIT_INTERVAL; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }
  @Override public double log2SupportSize(int width) { return width; }
  /** It scores data in [0, 1] but draws 0 or 1. */
  @Override public ValueDomain drawDomain() { return ValueDomain.BINARY; }
  @Override public java.util.Optional<DistributionFamily> relaxation() { return java.util.Optional.of(new RelaxedBernoulli()); }
  @Override public java.util.Optional<ConditionalRelaxation> conditionalRelaxation() { return java.util.Optional.of(LOGISTIC); }

  /**
   * The logistic relaxation: z = logits + logistic noise, b = [z > 0] ~ Bernoulli(sigmoid(logits)),
   * z~ the logistic variable conditioned on its sign, sigma_lambda(z) = sigmoid(z / lambda).
   */
  private static final ConditionalRelaxation LOGISTIC = new ConditionalRelaxation() {
    @Override public String argument() { return "logits"; }

    /** Standard logistic noise log(u / (1 - u)), one logarithm for every draw on u. */
    @Override
    public Node noise(Graph g, SourceRef o, Node u) { return g.apply(new LogisticNoise(), o, u); }

    @Override
    public Node draw(Graph g, SourceRef o, Node logits, Node noise) { return g.apply(new LogisticRsample(true), o, logits, noise); }

    @Override
    public Node harden(Graph g, SourceRef o, Node z) { return g.apply(new Heaviside(), o, z); }

    @Override
    public Node conditional(Graph g, SourceRef o, Node logits, Node b, Node noise) {
      return g.apply(new ConditionalLogistic(true), o, logits, b, noise);
    }

    @Override
    public Node relax(Graph g, SourceRef o, Node z, Node logTemperature) {
      return g.apply(new TemperedSigmoid(), o, z, logTemperature);
    }
  };

  @Override
  public List<double[]> enumerate(int width) {
    List<double[]> values = new java.util.ArrayList<>();
    for (int bits = 0; bits < (1 << width); bits++) {
      double[] v = new double[width];
      for (int j = 0; j < width; j++) v[j] = (bits >> j) & 1;
      values.add(v);
    }
    return values;
  }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    Node logits = a.get("logits");
    if (logits != null && logits.kind() == Node.Kind.CONSTANT && logits.constantRow() == null && logits.schedule() == null) {
      // A constant logit c (a fixed prior such as Bernoulli(logits = 0)): sum_j (x_j c - softplus(c))
      // is c sum_j x_j - w softplus(c), a row sum instead of a softplus over every element.
      double c = logits.constant();
      double softplus = Math.max(c, 0) + Math.log1p(Math.exp(-Math.abs(c)));
      // With c = 0 (the usual fixed prior) the density is the constant -w log 2 and its gradient
      // in the value is 0: the row sum is kept for the value's rows, but no gradient is sent back
      // through it (REBAR's and RELAX's relaxed values otherwise took a broadcast of zeros, added
      // into their gradient, at every stacked row: the same floats, a pass over memory less each).
      boolean carriesGradient = value.kind() == Node.Kind.OP && value.op().differentiable();
      Node summed = c == 0 && carriesGradient ? g.apply(new StopGradient(), o, value) : value;
      return g.apply(new Affine(c, -value.width() * softplus), o, g.apply(new RowSum(), o, summed));
    }
    if (logits != null) return g.apply(new BernoulliLogitsLogProb(), o, value, logits);
    return g.apply(new BernoulliProbsLogProb(), o, value, a.get("probs"));
  }

  /** A 0/1 draw by inversion of uniform noise; no gradient flows through it. */
  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    if (a.containsKey("logits")) return g.apply(new BernoulliSample(BernoulliSample.Parameter.LOGITS), o, a.get("logits"), u);
    return g.apply(new BernoulliSample(BernoulliSample.Parameter.PROBS), o, a.get("probs"), u);
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    if (a.containsKey("logits")) return g.apply(new Unary(Unary.Fn.SIGMOID), o, a.get("logits"));
    return a.get("probs");
  }
}
