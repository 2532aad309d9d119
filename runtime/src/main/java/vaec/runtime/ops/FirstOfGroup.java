package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * One row per example out of an objective's sample axis: the input holds examples of {@code k}
 * consecutive identical rows (each example repeated over its k samples), the output (with 1/k of
 * the rows) the first row of each group. The graph runs what reads only the data once per example
 * on its output, and {@link RepeatEachRow} widens the result back to k rows where the draws join it.
 * The backward pass (never needed for data, kept for completeness) puts each row's gradient on
 * the first row of its group and zero on the others.
 */
public final class FirstOfGroup implements Op {
  private final int k;

  public FirstOfGroup(int k) {
    if (k < 2) throw new IllegalArgumentException("group size " + k);
    this.k = k;
  }

  public int groupSize() { return k; }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    long rows = in[0].rows();
    if (rows != out.rows() * k) throw new IllegalStateException(rows + " rows in, " + out.rows() + " out, groups of " + k);
    // one group (an evaluation pass of one example's K samples): its first row (ND4J's strided
    // interval with a single element is not relied on)
    if (out.rows() == 1) out.assign(in[0].get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()));
    else out.assign(in[0].get(NDArrayIndex.interval(0, k, rows), NDArrayIndex.all()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    gIn[0].assign(0);
    if (g.rows() == 1) gIn[0].get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()).assign(g);
    else gIn[0].get(NDArrayIndex.interval(0, k, gIn[0].rows()), NDArrayIndex.all()).assign(g);
  }

  @Override public boolean rowwise() { return false; }
  /** Per example: it reads the first of each example's k rows. */
  @Override public boolean perExample() { return true; }
  @Override public String describe() { return "first_of_group[" + k + "]"; }
}
