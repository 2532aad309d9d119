package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.RelaxationKernels;
import vaec.runtime.kernels.UniformNoise;

/**
 * REBAR's and RELAX's unconditional relaxed draw z = logits + log u - log(1 - u): logistic noise
 * shifted by the logits, so that H(z) = [z > 0] is a Bernoulli(sigmoid(logits)) draw (Tucker et
 * al. 2017; Grathwohl et al. 2018). Inputs (logits, uniform noise); differentiable in the logits, where dz/dlogits = 1.
 * The noise is never differentiated: it is a sample.
 */
public final class LogisticRsample implements Op {
  private final boolean fromNoise;

  /** The draw from uniform noise: inputs (logits, u). */
  public LogisticRsample() { this(false); }

  /**
   * With {@code fromNoise}, the draw from standard logistic noise that {@link LogisticNoise} made of
   * u: inputs (logits, noise), and the draw is their sum, the same floats as from u.
   */
  public LogisticRsample(boolean fromNoise) { this.fromNoise = fromNoise; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("logistic sample", in);
    return in.get(0).width();
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (fromNoise) {
      Kernels.add(in[1], in[0], out);     // noise + logits, as both forms below add them
      return;
    }
    if (RelaxationKernels.applies(in[0], in[1], out, s[0])) {
      RelaxationKernels.logisticDraw(in[0], in[1], out, s[0]);
      return;
    }
    UniformNoise.clamp(in[1], s[0]);
    UniformNoise.logistic(s[0], out);
    Kernels.add(out, in[0], out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) Kernels.copy(g, gIn[0]);   // assign without its op object (one a step, on the heap)
  }

  @Override public String describe() { return fromNoise ? "logistic_rsample(noise)" : "logistic_rsample"; }
}
