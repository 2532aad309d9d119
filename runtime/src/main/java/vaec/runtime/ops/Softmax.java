package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/** softmax over each row's columns, shifted by the row maximum so that no exponential overflows. */
public final class Softmax implements Op {
  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {1, 1, in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    Kernels.rowMax(in[0], s[0]);
    Kernels.subColumn(in[0], s[0], out);
    Kernels.exp(out, out);
    Kernels.rowSum(out, s[1]);
    out.diviColumnVector(s[1]);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    INDArray d = s[2];                    // y (g - sum(g y))
    g.mul(out, d);
    Kernels.rowSum(d, s[1]);
    Kernels.subColumn(g, s[1], d);
    d.muli(out);
    gIn[0].assign(d);
  }

  @Override public String describe() { return "softmax"; }
}
