package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * log Bernoulli(x; sigmoid(l)) = x l - softplus(l), summed per example; inputs (x, logits). With x
 * in [0,1] this is the negated binary cross-entropy, the reference VAE's reconstruction term.
 * Written with softplus it stays finite for any logit.
 */
public final class BernoulliLogitsLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Bernoulli log-probability", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray t = s[0];
    Kernels.softplus(in[1], t);
    Kernels.mul(in[0], in[1], s[1]);
    t.rsubi(s[1]);    // x l - softplus(l)
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, boolean[] acc, INDArray[] s) {
    INDArray d = s[0];
    if (gIn[1] != null) {
      Kernels.sigmoid(in[1], d);          // d/dl = x - sigmoid(l)
      d.rsubi(in[0]);
      Kernels.putRowScaled(gIn[1], d, g, acc[1]);
    }
    if (gIn[0] != null) {
      d.assign(in[1]);                     // d/dx = l
      Kernels.putRowScaled(gIn[0], d, g, acc[0]);
    }
  }

  @Override public String describe() { return "bernoulli_logits_log_prob"; }
}
