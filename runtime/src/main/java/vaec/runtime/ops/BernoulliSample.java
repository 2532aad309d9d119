package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * A Bernoulli draw by inversion: 1 where u < p, else 0, with u a uniform noise node of the same
 * width and p = sigmoid(logits) (or p itself, given probabilities). The draw is a step function
 * of its inputs, so the op is not differentiable: no gradient flows through it, and a latent of
 * this kind needs the score function, enumeration or a relaxation to be learned.
 */
public final class BernoulliSample implements Op {
  /** What the first input holds. */
  public enum Parameter { LOGITS, PROBS }

  private final Parameter parameter;

  /** A draw from logits: inputs (logits, uniform noise). */
  public BernoulliSample() { this(Parameter.LOGITS); }

  /** A draw from logits or probabilities: inputs (logits or probs, uniform noise). */
  public BernoulliSample(Parameter parameter) { this.parameter = parameter; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Bernoulli sample", in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray p = s[0];
    if (parameter == Parameter.LOGITS) Kernels.sigmoid(in[0], p);
    else p.assign(in[0]);
    Kernels.sub(p, in[1], p);     // p - u > 0 exactly when u < p
    Kernels.step(p, out);
  }

  @Override public boolean differentiable() { return false; }

  @Override
  public String describe() { return "bernoulli_sample(" + parameter.name().toLowerCase(java.util.Locale.ROOT) + ")"; }
}
