package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

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
    INDArray[] parts = parts(out, in);
    for (int i = 0; i < in.length; i++) Kernels.copy(in[i], parts[i]);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray[] parts = parts(g, in);
    for (int i = 0; i < in.length; i++) if (gIn[i] != null) Kernels.copy(parts[i], gIn[i]);
  }

  /**
   * The column blocks of {@code whole} that the inputs fill, made once per buffer: the executor
   * hands the op the same buffers every step, and a view made per call is an ND4J buffer per call.
   * Cleared past a bound, in case a caller passes fresh arrays each time.
   */
  private synchronized INDArray[] parts(INDArray whole, INDArray[] in) {
    INDArray[] p = views.get(whole);
    if (p != null && p.length == in.length) return p;
    if (views.size() >= 4096) views.clear();
    p = new INDArray[in.length];
    long c = 0;
    for (int i = 0; i < in.length; i++) {
      p[i] = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + in[i].columns()));
      c += in[i].columns();
    }
    views.put(whole, p);
    return p;
  }

  private final java.util.Map<INDArray, INDArray[]> views = new java.util.IdentityHashMap<>();

  @Override public String describe() { return "concat"; }
}
