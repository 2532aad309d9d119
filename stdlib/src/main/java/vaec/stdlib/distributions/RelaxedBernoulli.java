package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Harden;
import vaec.runtime.ops.RelaxedBernoulliLogProb;
import vaec.runtime.ops.RelaxedBernoulliRsample;
import vaec.runtime.ops.Unary;

/**
 * The binary Concrete distribution (relaxed Bernoulli; Maddison et al. 2017, Jang et al. 2017):
 * independent continuous variables in (0, 1) that tend to Bernoulli(sigmoid(logits)) draws as the
 * temperature goes to 0. It lets a binary latent be trained with the pathwise gradient, at the
 * price of a bias that the temperature trades against variance (Maddison, Mnih and Teh 2017).
 * Arguments: {@code logits}, and {@code temperature}, a positive constant.
 */
public final class RelaxedBernoulli extends RelaxedFamily {
  @Override public String name() { return "RelaxedBernoulli"; }

  @Override
  Op sampleOp(Schedule temperature) { return new RelaxedBernoulliRsample(temperature); }

  @Override
  Op densityOp(Schedule temperature) { return new RelaxedBernoulliLogProb(temperature); }

  /** 1 where the draw exceeds 1/2, else 0: a Bernoulli draw. */
  @Override
  public Node harden(Graph g, SourceRef o, Node soft) { return g.apply(new Harden(Harden.Kind.BINARY), o, soft); }

  /**
   * sigmoid(logits): the mean of the Bernoulli being relaxed, which the relaxation's own mean
   * (no closed form) tends to as the temperature goes to 0.
   */
  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new Unary(Unary.Fn.SIGMOID), o, a.get("logits"));
  }
}
