package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * VIMCO's per-sample learning signal (Mnih and Rezende 2016) over an objective's sample axis: rows
 * come in groups of {@code k >= 2} consecutive samples of one example, each with its log-weight
 * l_j (batch x 1 in and out). With L = log (1/k) sum_i exp(l_i), row j gets L - L_{-j}, where
 * L_{-j} is L with l_j replaced by the mean of the other k - 1 log-weights (the geometric-mean
 * leave-one-out baseline), which does not depend on sample j. Each row's sum over the others is
 * taken from prefix and suffix log-sum-exps, so no sum is ever subtracted from another (one
 * dominant weight would otherwise cancel the rest away). Only used under stop-gradient: it has no
 * gradient.
 */
public final class GroupLeaveOneOut implements Op {
  private final int k;

  public GroupLeaveOneOut(int k) {
    if (k < 2) throw new IllegalArgumentException("a leave-one-out baseline needs groups of at least 2, not " + k);
    this.k = k;
  }

  public int groupSize() { return k; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != 1) throw new IllegalArgumentException("group leave-one-out takes batch x 1, got width " + in.get(0).width());
    return 1;
  }

  /** Column 0: log-sum-exp of the group's rows before this one; column 1: after it. */
  @Override public int[] scratchWidths(List<Node> in) { return new int[] {2}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray x = in[0];
    INDArray pre = s[0];
    long rows = x.rows();
    if (rows % k != 0) throw new IllegalStateException(rows + " rows are not whole groups of " + k);
    for (long g0 = 0; g0 < rows; g0 += k) {
      double acc = Double.NEGATIVE_INFINITY;
      double total = 0;
      for (long r = g0; r < g0 + k; r++) {
        pre.putScalar(r, 0, acc);
        acc = lse(acc, x.getDouble(r, 0));
        total += x.getDouble(r, 0);
      }
      double all = acc;
      acc = Double.NEGATIVE_INFINITY;
      for (long r = g0 + k - 1; r >= g0; r--) {
        pre.putScalar(r, 1, acc);
        acc = lse(acc, x.getDouble(r, 0));
      }
      for (long r = g0; r < g0 + k; r++) {
        double lj = x.getDouble(r, 0);
        double others = lse(pre.getDouble(r, 0), pre.getDouble(r, 1));
        double mean = (total - lj) / (k - 1);
        double without = lse(others, mean);   // log k cancels, so tiny signals keep their precision
        out.putScalar(r, 0, all == without ? 0.0 : all - without);
      }
    }
  }

  /** log(exp(a) + exp(b)), exact when either is -infinity. */
  static double lse(double a, double b) {
    if (a == Double.NEGATIVE_INFINITY) return b;
    if (b == Double.NEGATIVE_INFINITY) return a;
    double m = Math.max(a, b);
    return m + Math.log1p(Math.exp(-Math.abs(a - b)));
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "group_leave_one_out[" + k + "]"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
  /** Per example: its groups are the k rows of one example. */
  @Override public boolean perExample() { return true; }
}
