package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/** H(z) = 1 where z > 0, else 0: the discrete draw behind a logistic relaxation. Not differentiable. */
public final class Heaviside implements Op {
  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }
  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { Kernels.step(in[0], out); }
  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "heaviside"; }
}
