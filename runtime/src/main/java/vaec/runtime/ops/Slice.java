package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Columns [from, to) of its input. The executor makes the output a view of the input and its
 * gradient a view of the input's gradient, so slicing costs no op at all in either pass.
 */
public final class Slice implements Op {
  private final int from;
  private final int to;

  public Slice(int from, int to) { this.from = from; this.to = to; }

  public int from() { return from; }
  public int to() { return to; }

  @Override
  public int outputWidth(List<Node> in) {
    if (from < 0 || to > in.get(0).width() || from >= to) {
      throw new IllegalArgumentException("slice [" + from + ":" + to + ") of width " + in.get(0).width());
    }
    return to - from;
  }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) {}
  @Override public boolean aliasesInput() { return true; }
  @Override public String describe() { return "slice[" + from + ":" + to + "]"; }
}
