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
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { in[0].rdiv(c, out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, boolean[] acc, INDArray[] s) {
    if (gIn[0] == null) return;
    INDArray d = acc[0] ? s[0] : gIn[0];
    out.div(in[0], d).negi().muli(g);   // dy/dx = -c / x^2 = -y / x
    if (acc[0]) gIn[0].addi(d);
  }

  @Override
  public String describe() { return c + "/x"; }
}
