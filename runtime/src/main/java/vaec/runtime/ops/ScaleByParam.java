package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/** eta x with eta a learned 1 x 1 parameter (REBAR's control-variate scale). Inputs (x, eta). */
public final class ScaleByParam implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    ScalarParam.requireScalar("scale", in.get(1));
    return in.get(0).width();
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    out.assign(in[0]).muli(ScalarParam.of(in[1]));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, boolean[] acc, INDArray[] s) {
    if (gIn[1] != null) ScalarParam.put(gIn[1], Kernels.dot(g, in[0]), acc[1]);
    if (gIn[0] != null) {
      double eta = ScalarParam.of(in[1]);
      s[0].assign(g).muli(eta);
      Kernels.put(gIn[0], s[0], acc[0]);
    }
  }

  @Override public String describe() { return "scale_by_param"; }
}
