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

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray diff = s[0];
    INDArray var2 = s[1];
    INDArray t = s[2];
    in[0].sub(in[2], diff);
    in[3].mul(in[3], var2);
    in[1].mul(in[1], t).addi(diff.mul(diff)).divi(var2).muli(0.5).subi(0.5);
    t.addi(org.nd4j.linalg.ops.transforms.Transforms.log(in[3].div(in[1]), false));
    Kernels.rowSum(t, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray diff = s[0];
    INDArray var2 = s[1];
    if (gIn[0] != null) Kernels.putRowScaled(gIn[0], diff.div(var2), g);
    if (gIn[2] != null) Kernels.putRowScaled(gIn[2], diff.div(var2).negi(), g);
    if (gIn[1] != null) {                       // -1/s1 + s1/s2^2
      INDArray d = in[1].div(var2).subi(in[1].rdiv(1.0));
      Kernels.putRowScaled(gIn[1], d, g);
    }
    if (gIn[3] != null) {                       // 1/s2 - (s1^2 + diff^2) / s2^3
      INDArray d = in[1].mul(in[1]).addi(diff.mul(diff)).divi(var2).divi(in[3]).rsubi(in[3].rdiv(1.0));
      Kernels.putRowScaled(gIn[3], d, g);
    }
  }

  @Override public String describe() { return "kl_normal_normal"; }
}
