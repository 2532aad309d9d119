package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/**
 * The reparameterized Gaussian draw z = loc + scale * eps, inputs (loc, scale, eps) with eps a
 * standard-normal noise node (Kingma and Welling 2014). Gradients flow to loc and scale, the pathwise way.
 */
public final class NormalRsample implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    int w = in.get(2).width();
    for (int i = 0; i < 2; i++) {
      if (in.get(i).width() != w) throw new IllegalArgumentException("normal sample: width " + in.get(i).width() + " vs " + w);
    }
    return w;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    Kernels.mul(in[1], in[2], out);
    Kernels.add(out, in[0], out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) Kernels.copy(g, gIn[0]);
    if (gIn[1] != null) Kernels.mul(g, in[2], gIn[1]);
    if (gIn[2] != null) Kernels.mul(g, in[1], gIn[2]);
  }

  @Override public String describe() { return "normal_rsample"; }
}
