package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.UniformNoise;

/**
 * The reparameterized binary Concrete (relaxed Bernoulli) draw
 * y = sigmoid((logits + log u - log(1 - u)) / temperature), with u a uniform noise node, so that
 * log u - log(1 - u) is standard logistic noise (Maddison et al. 2017, sec. 3.3). Inputs (logits,
 * uniform noise) of equal width. At every temperature P(y > 1/2) = sigmoid(logits): rounding y
 * gives a Bernoulli draw, which the relaxation tends to as the temperature goes to 0.
 * Differentiable in the logits (the pathwise gradient) and, for completeness, in u, where the
 * clamp of u has derivative 0 at its bounds.
 */
public final class RelaxedBernoulliRsample extends Temperature {
  public RelaxedBernoulliRsample(double temperature) {
    this(Schedule.fixed(temperature));
  }

  /** Follows {@code schedule} (the step comes from {@link #beginStep}); starts at its initial value. */
  public RelaxedBernoulliRsample(Schedule schedule) {
    super("relaxed Bernoulli sample", schedule);
  }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("relaxed Bernoulli sample", in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int w = in.get(0).width();
    return new int[] {w, w, w};          // clamped u (kept for backward), two buffers for backward
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray uc = s[0];
    UniformNoise.clamp(in[1], uc);
    UniformNoise.logistic(uc, out);
    Kernels.add(out, in[0], out);
    out.muli(1.0 / temperature());
    Kernels.sigmoid(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray d = s[1];
    INDArray noiseDerivative = s[2];
    // The noise's derivative first, while d's buffer is still free to serve as its scratch.
    if (gIn[1] != null) UniformNoise.logisticDerivative(in[1], s[0], noiseDerivative, d);
    out.rsub(1.0, d);                    // d = g y (1 - y) / temperature
    d.muli(out);
    d.muli(g);
    d.muli(1.0 / temperature());
    if (gIn[0] != null) gIn[0].assign(d);
    if (gIn[1] != null) {
      noiseDerivative.muli(d);
      gIn[1].assign(noiseDerivative);
    }
  }

  @Override public String describe() { return "relaxed_bernoulli_rsample(temperature=" + temperature() + ")"; }
}
