package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/** Joins its inputs' columns side by side. */
public final class Concat implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    int w = 0;
    for (Node n : in) w += n.width();
    return w;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    int c = 0;
    for (INDArray x : in) {
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + x.columns())).assign(x);
      c += x.columns();
    }
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    int c = 0;
    for (int i = 0; i < in.length; i++) {
      int w = in[i].columns();
      if (gIn[i] != null) gIn[i].assign(g.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + w)));
      c += w;
    }
  }

  @Override public String describe() { return "concat"; }
}
