package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * The closed-form KL(N(m1, s1) || N(m2, s2)) summed per example; inputs (m1, s1, m2, s2):
 * log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2 per dimension (Kingma and Welling 2014,
 * appendix B, give it for the standard-normal prior).
 */
public final class KlNormalNormal implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Normal-Normal KL", in);
    return 1;
  }

  /** diff = m1 - m2 and var2 = s2^2 (kept for the backward pass), then two working buffers. */
  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w, w};
  }

  // Every step through Kernels into the scratch buffers: no array is made per call.
  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray diff = s[0];
    INDArray var2 = s[1];
    INDArray t = s[2];
    INDArray u = s[3];
    Kernels.sub(in[0], in[2], diff);
    Kernels.mul(in[3], in[3], var2);
    Kernels.mul(in[1], in[1], t);          // (s1^2 + diff^2) / (2 s2^2) - 1/2
    Kernels.mul(diff, diff, u);
    Kernels.add(t, u, t);
    Kernels.div(t, var2, t);
    Kernels.scale(t, 0.5, t);
    Kernels.addScalar(t, -0.5, t);
    Kernels.div(in[3], in[1], u);          // + log(s2 / s1)
    Kernels.log(u, u);
    Kernels.add(t, u, t);
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray diff = s[0];
    INDArray var2 = s[1];
    INDArray t = s[2];
    INDArray u = s[3];
    if (gIn[0] != null) {                       // diff / s2^2
      Kernels.div(diff, var2, t);
      Kernels.putRowScaled(gIn[0], t, g);
    }
    if (gIn[2] != null) {                       // -diff / s2^2
      Kernels.div(diff, var2, t);
      Kernels.scale(t, -1.0, t);
      Kernels.putRowScaled(gIn[2], t, g);
    }
    if (gIn[1] != null) {                       // -1/s1 + s1/s2^2
      Kernels.div(in[1], var2, t);
      Kernels.rdivScalar(in[1], 1.0, u);
      Kernels.sub(t, u, t);
      Kernels.putRowScaled(gIn[1], t, g);
    }
    if (gIn[3] != null) {                       // 1/s2 - (s1^2 + diff^2) / s2^3
      Kernels.mul(in[1], in[1], t);
      Kernels.mul(diff, diff, u);
      Kernels.add(t, u, t);
      Kernels.div(t, var2, t);
      Kernels.div(t, in[3], t);
      Kernels.rdivScalar(in[3], 1.0, u);
      Kernels.sub(u, t, t);
      Kernels.putRowScaled(gIn[3], t, g);
    }
  }

  @Override public String describe() { return "kl_normal_normal"; }
}
