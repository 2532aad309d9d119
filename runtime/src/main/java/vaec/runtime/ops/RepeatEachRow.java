package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Each row repeated {@code k} times in a row: from one row per example to the objective's k
 * consecutive sample rows (the inverse of {@link FirstOfGroup}'s layout). What reads only the
 * data (the guide's networks) runs once per example and is widened by this where the k draws
 * join it. The backward pass sums the output gradient over each row's k copies.
 */
public final class RepeatEachRow implements Op {
  private final int k;

  public RepeatEachRow(int k) {
    if (k < 2) throw new IllegalArgumentException("repeat count " + k);
    this.k = k;
  }

  public int count() { return k; }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    long rows = out.rows();
    long groups = in[0].rows();
    if (rows != groups * k) throw new IllegalStateException(groups + " rows in, " + rows + " out, repeated " + k);
    if (groups < k) {
      // few groups (an evaluation pass of one example's K samples): a block of k rows per group
      // (ND4J's strided interval with a single element fails when begin + stride passes the end)
      for (long i = 0; i < groups; i++) {
        out.get(NDArrayIndex.interval(i * k, (i + 1) * k), NDArrayIndex.all()).assign(0)
            .addiRowVector(in[0].getRow(i, true));
      }
      return;
    }
    for (long j = 0; j < k; j++) out.get(NDArrayIndex.interval(j, k, rows), NDArrayIndex.all()).assign(in[0]);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    long rows = g.rows();
    long groups = gIn[0].rows();
    if (groups < k) {
      for (long i = 0; i < groups; i++) {
        gIn[0].getRow(i, true).assign(g.get(NDArrayIndex.interval(i * k, (i + 1) * k), NDArrayIndex.all()).sum(true, 0));
      }
      return;
    }
    gIn[0].assign(g.get(NDArrayIndex.interval(0, k, rows), NDArrayIndex.all()));
    for (long j = 1; j < k; j++) gIn[0].addi(g.get(NDArrayIndex.interval(j, k, rows), NDArrayIndex.all()));
  }

  @Override public boolean rowwise() { return false; }
  /** Per example: it repeats each example's row k times. */
  @Override public boolean perExample() { return true; }
  @Override public String describe() { return "repeat_each_row[" + k + "]"; }
}
