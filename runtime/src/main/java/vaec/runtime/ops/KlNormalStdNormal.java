package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * KL(N(m, s) || N(0, 1)) = sum(s^2/2 + m^2/2 - log s - 1/2) per example; inputs (m, s). The fusion
 * pass puts this in place of {@link KlNormalNormal} when the prior is the standard normal, which
 * saves two constant inputs and about half the work of the general form.
 */
public final class KlNormalStdNormal implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Normal-standard normal KL", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray t = s[0];
    INDArray u = s[1];
    Kernels.mul(in[1], in[1], t);
    Kernels.mul(in[0], in[0], u);
    Kernels.add(t, u, t);
    Kernels.scale(t, 0.5, t);
    Kernels.addScalar(t, -0.5, t);
    Kernels.log(in[1], u);
    Kernels.sub(t, u, t);
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray d = s[0];
    if (gIn[0] != null) {
      Kernels.copy(in[0], d);                        // dm = m
      Kernels.putRowScaled(gIn[0], d, g);
    }
    if (gIn[1] != null) {
      Kernels.rdivScalar(in[1], 1.0, d);            // ds = s - 1/s
      Kernels.sub(in[1], d, d);
      Kernels.putRowScaled(gIn[1], d, g);
    }
  }

  @Override public String describe() { return "kl_normal_std_normal"; }
}
