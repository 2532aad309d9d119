package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/** The sum of a value's columns, one number per example (e.g. a log-density over dimensions). */
public final class RowSum implements Op {
  @Override public int outputWidth(List<Node> in) { return 1; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { Kernels.rowSum(in[0], out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    // every column's gradient is the example's g; Kernels' reused ops, which make no ND4J buffer
    // per call (assign and addiColumnVector make some)
    Kernels.fill(gIn[0], 0);
    Kernels.add(gIn[0], g, gIn[0]);
  }

  @Override public String describe() { return "row_sum"; }
}
