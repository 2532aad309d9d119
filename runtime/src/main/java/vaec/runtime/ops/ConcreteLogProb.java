package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;
import vaec.runtime.kernels.FlooredLog;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;

/**
 * log density of the Concrete (Gumbel-softmax) distribution with logits alpha and temperature
 * lambda at a point y of the simplex, one number per example; inputs (y, logits) of the width k
 * of ONE group of k classes (several groups per value are not supported). After Maddison et al.
 * (2017), eq. 1, as a density over the first k - 1 coordinates:
 *
 * <pre>
 *   log p(y) = log (k-1)! + (k-1) log lambda + sum_i (alpha_i - (lambda+1) log y_i)
 *              - k logsumexp_i (alpha_i - lambda log y_i)
 * </pre>
 *
 * The log-sum-exp is shifted by its row maximum. The y_i are floored at the smallest normal
 * number before their logs (see {@link FlooredLog}): a float32 softmax at a low temperature
 * underflows to exact zeros, which would otherwise give NaN.
 *
 * <p>Gradients, with w = softmax(alpha - lambda log y): d/dalpha_i = 1 - k w_i and
 * d/dy_i = (k lambda w_i - lambda - 1) / y_i, the formula's partial derivatives with every y_i
 * treated as free.
 */
public final class ConcreteLogProb extends Temperature {
  public ConcreteLogProb(double temperature) {
    this(Schedule.fixed(temperature));
  }

  /** Follows {@code schedule} (the step comes from {@link #beginStep}); starts at its initial value. */
  public ConcreteLogProb(Schedule schedule) {
    super("Concrete log-density", schedule);
  }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Concrete log-density", in);
    if (in.get(0).width() < 2) throw new IllegalArgumentException("Concrete log-density: needs at least 2 classes, got " + in.get(0).width());
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int k = in.get(0).width();
    return new int[] {k, k, k, 1, k, 1};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray y = s[0];                   // floored y, kept for backward
    INDArray logY = s[1];
    INDArray v = s[2];
    INDArray max = s[3];
    INDArray w = s[4];                   // softmax(v), kept for backward
    INDArray lse = s[5];
    int k = in[0].columns();
    FlooredLog.applyFloor(in[0], y);
    Kernels.log(y, logY);
    logY.mul(-temperature(), v);           // v = alpha - lambda log y
    Kernels.add(v, in[1], v);
    Kernels.rowMax(v, max);
    Kernels.subColumn(v, max, w);
    Kernels.exp(w, w);
    Kernels.rowSum(w, lse);
    w.diviColumnVector(lse);
    Kernels.log(lse, lse);
    lse.addi(max);
    v.subi(logY);                        // alpha - (lambda + 1) log y
    Kernels.rowSum(v, out);
    lse.muli(k);
    out.subi(lse);
    out.addi(logFactorial(k - 1) + (k - 1) * Math.log(temperature()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray y = s[0];
    INDArray w = s[4];
    int k = in[0].columns();
    if (gIn[0] != null) {
      INDArray d = s[2];
      INDArray mask = s[1];
      w.mul(k * temperature(), d).subi(temperature() + 1).divi(y);
      FlooredLog.aboveFloor(y, mask);    // zero where the floor held y
      d.muli(mask);
      Kernels.putRowScaled(gIn[0], d, g);
    }
    if (gIn[1] != null) {
      w.muli(-k).addi(1.0);              // w is not needed after this
      Kernels.putRowScaled(gIn[1], w, g);
    }
  }

  static double logFactorial(int n) {
    double sum = 0;
    for (int j = 2; j <= n; j++) sum += Math.log(j);
    return sum;
  }

  @Override public String describe() { return "concrete_log_prob(temperature=" + temperature() + ")"; }
}
