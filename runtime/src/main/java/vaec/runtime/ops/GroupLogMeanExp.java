package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The reduction over an objective's sample axis: rows come in groups of {@code k} consecutive
 * samples of one example, and every row of a group gets log (1/k) sum_j exp(x_j) over the group
 * (batch x 1 in and out), so the mean over rows is the mean over examples. An importance-weighted
 * bound (Burda, Grosse and Salakhutdinov 2016) is this of the per-sample log-weights. The gradient
 * of row j's input is the group's summed output gradient times its normalized weight
 * exp(x_j - out) / k.
 */
public final class GroupLogMeanExp implements Op {
  private final int k;

  public GroupLogMeanExp(int k) {
    if (k < 1) throw new IllegalArgumentException("group size " + k);
    this.k = k;
  }

  public int groupSize() { return k; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != 1) throw new IllegalArgumentException("group log-mean-exp takes batch x 1, got width " + in.get(0).width());
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray x = in[0];
    long rows = x.rows();
    if (rows % k != 0) throw new IllegalStateException(rows + " rows are not whole groups of " + k);
    for (long g0 = 0; g0 < rows; g0 += k) {
      double max = Double.NEGATIVE_INFINITY;
      for (long r = g0; r < g0 + k; r++) max = Math.max(max, x.getDouble(r, 0));
      double lme;
      if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max) || max == Double.POSITIVE_INFINITY) lme = max;
      else {
        double sum = 0;
        for (long r = g0; r < g0 + k; r++) sum += Math.exp(x.getDouble(r, 0) - max);
        lme = max + Math.log(sum / k);
      }
      for (long r = g0; r < g0 + k; r++) out.putScalar(r, 0, lme);
    }
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    INDArray x = in[0];
    long rows = x.rows();
    for (long g0 = 0; g0 < rows; g0 += k) {
      double total = 0;
      for (long r = g0; r < g0 + k; r++) total += g.getDouble(r, 0);
      double lme = out.getDouble(g0, 0);
      for (long r = g0; r < g0 + k; r++) gIn[0].putScalar(r, 0, total * Math.exp(x.getDouble(r, 0) - lme) / k);
    }
  }

  @Override public String describe() { return "group_log_mean_exp[" + k + "]"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
  /** Per example: its groups are the k rows of one example. */
  @Override public boolean perExample() { return true; }
}
