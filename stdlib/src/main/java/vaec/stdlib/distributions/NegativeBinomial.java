package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.CountLogProb;
import vaec.runtime.ops.CountSample;
import vaec.runtime.ops.Unary;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * NegativeBinomial(total_count, probs) or NegativeBinomial(total_count, logits = l), independent
 * per column, over the counts 0, 1, 2, ... (data declared {@code count[n]}). PyTorch's convention:
 * the number of successes before total_count = r failures, success probability p = sigmoid(l):
 * log p(x) = log Gamma(x + r) - log Gamma(r) - log x! + x log p + r log(1 - p); mean r p / (1 - p).
 * It is the Gamma-Poisson mixture: Poisson(lambda) with lambda ~ Gamma(r, rate (1 - p) / p). No
 * pathwise sampler: as a latent it gets the score function.
 */
public final class NegativeBinomial extends DistributionFamily {
  @Override public String name() { return "NegativeBinomial"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("total_count", Constraint.POSITIVE), new ParamSpec("probs", Constraint.OPEN_UNIT_INTERVAL)),
        List.of(new ParamSpec("total_count", Constraint.POSITIVE), new ParamSpec("logits", Constraint.REAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.COUNT; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return false; }

  private static boolean byLogits(Map<String, Node> a) { return a.containsKey("logits"); }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return byLogits(a)
        ? g.apply(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_LOGITS), o, value, a.get("total_count"), a.get("logits"))
        : g.apply(new CountLogProb(CountLogProb.Kind.NEGATIVE_BINOMIAL_PROBS), o, value, a.get("total_count"), a.get("probs"));
  }

  /** p / (1 - p): exp(logits), or probs / (1 - probs). */
  private static Node odds(Graph g, SourceRef o, Map<String, Node> a) {
    if (byLogits(a)) return g.apply(new Unary(Unary.Fn.EXP), o, a.get("logits"));
    Node p = a.get("probs");
    return g.apply(new Binary(Binary.Kind.DIV), o, p, g.apply(new Affine(-1, 1), o, p));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new Binary(Binary.Kind.MUL), o, a.get("total_count"), odds(g, o, a));
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node u = g.noise("u_" + site, NoiseKind.UNIFORM, width);
    return g.apply(new CountSample(true), o, a.get("total_count"), odds(g, o, a), u);
  }
}
