package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * log Categorical(x; softmax(l)) for a one-hot x: sum(x l) - logsumexp(l), per example; inputs
 * (x, logits). The log-sum-exp subtracts the row maximum so that no logit overflows.
 */
public final class CategoricalLogitsLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Categorical log-probability", in);
    return 1;
  }

  /** softmax(l) (kept for the backward pass), a working buffer, the row maximum and logsumexp(l). */
  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), in.get(0).width(), 1, 1}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray e = s[0];
    INDArray t = s[1];
    INDArray max = s[2];
    INDArray lse = s[3];
    Kernels.rowMax(in[1], max);
    Kernels.subColumn(in[1], max, e);
    Kernels.exp(e, e);
    Kernels.rowSum(e, lse);
    Kernels.div(e, lse, e);              // e now holds softmax(l), reused by the backward pass
    Kernels.log(lse, lse);
    Kernels.add(lse, max, lse);          // logsumexp(l)
    Kernels.mul(in[0], in[1], t);
    Kernels.rowSum(t, out);
    Kernels.sub(out, lse, out);          // sum(x l) - logsumexp(l)
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[1] != null) {
      Kernels.sub(in[0], s[0], s[1]);    // x - softmax(l)
      Kernels.putRowScaled(gIn[1], s[1], g);
    }
    if (gIn[0] != null) Kernels.putRowScaled(gIn[0], in[1], g);
  }

  @Override public String describe() { return "categorical_logits_log_prob"; }
}
