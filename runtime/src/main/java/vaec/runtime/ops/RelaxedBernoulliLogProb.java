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
 * log density of the binary Concrete (relaxed Bernoulli) distribution with logit a and
 * temperature lambda at y in (0, 1), summed per example; inputs (y, logits) of equal width.
 *
 * <p>Maddison et al. (2017) give p(y) = lambda e^a y^(-lambda-1) (1-y)^(-lambda-1) /
 * (e^a y^(-lambda) + (1-y)^(-lambda))^2. With t = a - lambda logit(y) this is
 * log p(y) = log lambda - log y - log(1 - y) - softplus(t) - softplus(-t): the logistic density
 * of lambda logit(y) about a, times the Jacobian lambda / (y (1 - y)). That form has no
 * exponential to overflow. y and 1 - y are floored at the smallest normal number before their
 * logs (see {@link FlooredLog}) so that a float32 sample that rounded to 0 or 1 scores finitely.
 *
 * <p>Gradients, with r = 1 - 2 sigmoid(t): d/da = r and
 * d/dy = -(1 + lambda r) / y + (1 - lambda r) / (1 - y).
 */
public final class RelaxedBernoulliLogProb extends Temperature {
  public RelaxedBernoulliLogProb(double temperature) {
    this(Schedule.fixed(temperature));
  }

  /** Follows {@code schedule} (the step comes from {@link #beginStep}); starts at its initial value. */
  public RelaxedBernoulliLogProb(Schedule schedule) {
    super("relaxed Bernoulli log-density", schedule);
  }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("relaxed Bernoulli log-density", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w, w, w, w};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray y = s[0];                   // floored y, kept for backward
    INDArray oneMinusY = s[1];           // floored 1 - y, kept for backward
    INDArray sum = s[2];
    INDArray work = s[3];
    INDArray t = s[4];                   // kept for backward
    INDArray softplusT = s[5];
    FlooredLog.applyFloor(in[0], y);
    in[0].rsub(1.0, oneMinusY);
    FlooredLog.applyFloor(oneMinusY, oneMinusY);
    Kernels.log(y, sum);
    Kernels.log(oneMinusY, work);
    Kernels.sub(sum, work, t);           // t = a - lambda (log y - log(1 - y))
    t.muli(-temperature());
    Kernels.add(t, in[1], t);
    Kernels.add(sum, work, sum);         // sum = log y + log(1 - y) + softplus(t) + softplus(-t)
    Kernels.softplus(t, softplusT);
    t.mul(-1.0, work);
    Kernels.softplus(work, work);
    Kernels.add(sum, softplusT, sum);
    Kernels.add(sum, work, sum);
    Kernels.rowSum(sum, out);
    out.rsubi(in[0].columns() * Math.log(temperature()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray y = s[0];
    INDArray oneMinusY = s[1];
    INDArray r = s[5];
    Kernels.sigmoid(s[4], r);            // r = 1 - 2 sigmoid(t)
    r.muli(-2.0).addi(1.0);
    if (gIn[0] != null) {
      INDArray fromY = s[2];             // (1 + lambda r) / y where y is above the floor
      INDArray fromOneMinusY = s[3];     // (1 - lambda r) / (1 - y) where 1 - y is above the floor
      INDArray mask = s[4];
      r.mul(temperature(), fromY).addi(1.0).divi(y);
      FlooredLog.aboveFloor(y, mask);
      fromY.muli(mask);
      r.mul(-temperature(), fromOneMinusY).addi(1.0).divi(oneMinusY);
      FlooredLog.aboveFloor(oneMinusY, mask);
      fromOneMinusY.muli(mask);
      fromOneMinusY.subi(fromY);
      Kernels.putRowScaled(gIn[0], fromOneMinusY, g);
    }
    if (gIn[1] != null) Kernels.putRowScaled(gIn[1], r, g);
  }

  @Override public String describe() { return "relaxed_bernoulli_log_prob(temperature=" + temperature() + ")"; }
}
