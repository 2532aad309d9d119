package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * log Bernoulli(x; p) = x log p + (1 - x) log(1 - p), summed per example; inputs (x, probs).
 * Probabilities are clamped to [1e-7, 1 - 1e-7] so that a saturated sigmoid cannot give -inf.
 */
public final class BernoulliProbsLogProb implements Op {
  static final double EPS = 1e-7;

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Bernoulli log-probability", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray p = s[0];
    p.assign(in[1]);
    Transforms.max(p, EPS, false);
    Transforms.min(p, 1 - EPS, false);
    INDArray lp = s[1];
    INDArray lq = s[2];
    Kernels.log(p, lp);
    p.rsub(1.0, lq);
    Kernels.log(lq, lq);
    INDArray t = lp.sub(lq).muli(in[0]).addi(lq);   // x (log p - log q) + log q
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray p = s[0];
    if (gIn[1] != null) {
      // x / p - (1 - x) / (1 - p) = (x - p) / (p (1 - p))
      INDArray d = in[0].sub(p).divi(p.mul(p.rsub(1.0)));
      Kernels.putRowScaled(gIn[1], d, g);
    }
    if (gIn[0] != null) {
      INDArray d = s[1].sub(s[2]);
      Kernels.putRowScaled(gIn[0], d, g);
    }
  }

  @Override public String describe() { return "bernoulli_probs_log_prob"; }
}
