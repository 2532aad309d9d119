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

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), 1, 1}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray e = s[0];
    INDArray max = s[1];
    INDArray sum = s[2];
    Kernels.rowMax(in[1], max);
    Kernels.subColumn(in[1], max, e);
    Kernels.exp(e, e);
    Kernels.rowSum(e, sum);
    e.diviColumnVector(sum);             // e now holds softmax(l), reused by the backward pass
    INDArray lse = sum.dup();
    Kernels.log(lse, lse);
    lse.addi(max);
    Kernels.rowSum(in[0].mul(in[1]), out);
    out.subi(lse);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[1] != null) {
      INDArray d = in[0].sub(s[0]);      // x - softmax(l)
      Kernels.putRowScaled(gIn[1], d, g);
    }
    if (gIn[0] != null) {
      INDArray d = in[1].dup();
      Kernels.putRowScaled(gIn[0], d, g);
    }
  }

  @Override public String describe() { return "categorical_logits_log_prob"; }
}
