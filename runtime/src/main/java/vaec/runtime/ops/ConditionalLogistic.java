package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.RelaxationKernels;
import vaec.runtime.kernels.StableSoftplus;
import vaec.runtime.kernels.UniformNoise;

/**
 * REBAR's conditional relaxed draw z~ ~ p(z | b, logits): the logistic variable z = logits +
 * logistic noise conditioned on its sign H(z) = b, reparameterized by a second uniform v (Tucker
 * et al. 2017, appendix; Grathwohl et al. 2018). With s = 2b - 1 and a = logit(v) + softplus(s logits):
 * <pre>  z~ = s softplus(a),   dz~/dlogits = sigmoid(a) sigmoid(s logits).</pre>
 * For b = 1 this is log(1 + v / ((1 - v)(1 - p))), positive; for b = 0 its mirror, negative;
 * written with softplus so that it is stable for any logit. Inputs (logits, b, uniform v);
 * differentiable in the logits only (b and v are samples).
 */
public final class ConditionalLogistic implements Op {
  private final boolean fromNoise;

  /** The draw from uniform noise: inputs (logits, b, v). */
  public ConditionalLogistic() { this(false); }

  /**
   * With {@code fromNoise}, the draw from the standard logistic noise logit(clamp(v)) that {@link
   * LogisticNoise} made of v: inputs (logits, b, noise), the same floats as from v.
   */
  public ConditionalLogistic(boolean fromNoise) { this.fromNoise = fromNoise; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("conditional logistic sample", in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w, w};   // sign, a (kept for backward), two work buffers
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray sign = s[0], a = s[1], t = s[2], uc = s[3];
    if (fromNoise && RelaxationKernels.applies(in[0], in[1], in[2], out, sign, a, null)) {
      RelaxationKernels.conditionalDrawFromNoise(in[0], in[1], in[2], out, sign, a);
      return;
    }
    if (!fromNoise && RelaxationKernels.applies(in[0], in[1], in[2], out, sign, a, t, uc)) {
      RelaxationKernels.conditionalDraw(in[0], in[1], in[2], out, sign, a, t, uc);
      return;
    }
    sign.assign(in[1]).muli(2).subi(1);
    Kernels.mul(sign, in[0], t);
    StableSoftplus.apply(t, t, out);          // t = softplus(s logits); out is free as scratch here
    if (fromNoise) {
      Kernels.add(in[2], t, a);
    } else {
      UniformNoise.clamp(in[2], uc);
      UniformNoise.logistic(uc, a);
      Kernels.add(a, t, a);
    }
    StableSoftplus.apply(a, out, t);
    Kernels.mul(out, sign, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    INDArray sign = s[0], a = s[1], t = s[2], d = s[3];
    if (RelaxationKernels.applies(in[0], sign, a, g, gIn[0], t, d)) {
      RelaxationKernels.conditionalDrawBackward(in[0], sign, a, g, gIn[0], t, d);
      return;
    }
    Kernels.mul(sign, in[0], t);
    Kernels.sigmoid(t, t);
    Kernels.sigmoid(a, d);
    Kernels.mul(d, t, d);
    Kernels.mul(d, g, d);
    gIn[0].assign(d);
  }

  @Override public String describe() { return fromNoise ? "conditional_logistic_rsample(noise)" : "conditional_logistic_rsample"; }
}
