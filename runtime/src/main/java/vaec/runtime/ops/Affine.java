package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/** y = a x + b with constants a and b: what scalar arithmetic (0.5 * v, v - 1, -v) lowers to. */
public final class Affine implements Op {
  private final double a;
  private final double b;

  public Affine(double a, double b) { this.a = a; this.b = b; }

  @Override
  public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (a == 1.0) Kernels.addScalar(in[0], b, out);
    else {
      Kernels.scale(in[0], a, out);
      if (b != 0.0) Kernels.addScalar(out, b, out);
    }
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) Kernels.scale(g, a, gIn[0]);
  }

  @Override
  public String describe() { return "affine(" + a + "*x + " + b + ")"; }
}
