package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.RelaxationKernels;
import vaec.runtime.kernels.ScalarParam;

/** eta x with eta a learned 1 x 1 parameter (REBAR's control-variate scale). Inputs (x, eta). */
public final class ScaleByParam implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    ScalarParam.requireScalar("scale", in.get(1));
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    Kernels.scale(in[0], ScalarParam.of(in[1]), out);   // Kernels' reused op: no ND4J buffer per call
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[1] != null) ScalarParam.put(gIn[1], RelaxationKernels.dot(g, in[0]));
    if (gIn[0] != null) Kernels.scale(g, ScalarParam.of(in[1]), gIn[0]);
  }

  @Override public String describe() { return "scale_by_param"; }
}
