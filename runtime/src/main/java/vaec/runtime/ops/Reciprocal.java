package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/** y = c / x with a constant c. */
public final class Reciprocal implements Op {
  private final double c;

  public Reciprocal(double c) { this.c = c; }

  @Override
  public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { in[0].rdiv(c, out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) out.div(in[0], gIn[0]).negi().muli(g);   // dy/dx = -c / x^2 = -y / x
  }

  @Override
  public String describe() { return c + "/x"; }
}
