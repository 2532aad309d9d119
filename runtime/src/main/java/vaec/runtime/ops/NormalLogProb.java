package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * log N(x; loc, scale) summed over a value's columns: one number per example. Inputs (x, loc,
 * scale), all of the same width.
 */
public final class NormalLogProb implements Op {
  static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("normal log-density", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray u = s[0];                // u = (x - loc) / scale, kept for the backward pass
    in[0].sub(in[1], u).divi(in[2]);
    INDArray t = s[1];
    Kernels.log(in[2], t);            // t = -0.5 u^2 - log scale - 0.5 log 2 pi
    t.addi(u.mul(u).muli(0.5)).negi().subi(HALF_LOG_2PI);
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray u = s[0];
    INDArray d = s[1];
    if (gIn[0] != null || gIn[1] != null) {
      u.div(in[2], d);                // d/dloc = u / scale = -d/dx
      if (gIn[1] != null) {
        INDArray dl = d.dup();
        Kernels.putRowScaled(gIn[1], dl, g);
      }
      if (gIn[0] != null) {
        d.negi();
        Kernels.putRowScaled(gIn[0], d, g);
      }
    }
    if (gIn[2] != null) {
      u.mul(u, d).subi(1.0).divi(in[2]);   // (u^2 - 1) / scale
      Kernels.putRowScaled(gIn[2], d, g);
    }
  }

  @Override public String describe() { return "normal_log_prob"; }
}
