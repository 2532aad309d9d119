package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.ConcreteLogProb;
import vaec.runtime.ops.ConcreteRsample;
import vaec.runtime.ops.Harden;
import vaec.runtime.ops.Softmax;

/**
 * The Concrete (Gumbel-softmax) distribution over the simplex of k classes (Maddison, Mnih and Teh
 * 2017; Jang, Gu and Poole 2017): softmax((logits + Gumbel noise) / temperature), which tends
 * to a one-hot Categorical(softmax(logits)) draw as the temperature goes to 0. It lets a
 * categorical latent be trained with the pathwise gradient. Arguments: {@code logits}, and
 * {@code temperature}, a positive constant. The whole value is ONE group of k = width classes.
 *
 * <p>The support is the simplex, for which {@link ValueDomain} has no member; the family reports
 * {@link ValueDomain#UNIT_INTERVAL}, the domain of every coordinate, so a Concrete latent is
 * declared {@code real[k] in [0, 1]}.
 */
public final class Concrete extends RelaxedFamily {
  @Override public String name() { return "Concrete"; }

  @Override
  Op sampleOp(Schedule temperature) { return new ConcreteRsample(temperature); }

  @Override
  Op densityOp(Schedule temperature) { return new ConcreteLogProb(temperature); }

  /** The one-hot of the draw's largest entry: a Categorical draw. */
  @Override
  public Node harden(Graph g, SourceRef o, Node soft) { return g.apply(new Harden(Harden.Kind.ONE_HOT), o, soft); }

  /**
   * softmax(logits): the mean of the one-hot categorical being relaxed, which the relaxation's
   * own mean (no closed form) tends to as the temperature goes to 0.
   */
  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new Softmax(), o, a.get("logits"));
  }
}
