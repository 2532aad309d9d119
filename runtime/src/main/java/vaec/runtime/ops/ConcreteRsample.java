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
 * The reparameterized Concrete (Gumbel-softmax) draw y = softmax((logits + g) / temperature) with
 * g = -log(-log u) standard Gumbel noise from a uniform noise node u (Maddison, Mnih and Teh 2017;
 * Jang, Gu and Poole 2017). Inputs (logits, uniform noise), both of the width k of one group of k classes. The
 * arg max of y is a draw of Categorical(softmax(logits)) at every temperature; as the temperature
 * goes to 0 y itself becomes that one-hot draw. Differentiable in the logits (the pathwise
 * gradient) and, for completeness, in u, where the clamp of u has derivative 0 at its bounds.
 */
public final class ConcreteRsample extends Temperature {
  public ConcreteRsample(double temperature) {
    this(Schedule.fixed(temperature));
  }

  /** Follows {@code schedule} (the step comes from {@link #beginStep}); starts at its initial value. */
  public ConcreteRsample(Schedule schedule) {
    super("Concrete sample", schedule);
  }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Concrete sample", in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    int k = in.get(0).width();
    // clamped u (kept for the backward pass), row max, row sum, and two buffers for backward
    return new int[] {k, 1, 1, k, k};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray uc = s[0];
    UniformNoise.clamp(in[1], uc);
    UniformNoise.gumbel(uc, out);
    Kernels.add(out, in[0], out);
    out.muli(1.0 / temperature());
    Kernels.rowMax(out, s[1]);           // softmax in place, shifted by the row maximum
    Kernels.subColumn(out, s[1], out);
    Kernels.exp(out, out);
    Kernels.rowSum(out, s[2]);
    out.diviColumnVector(s[2]);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray d = s[3];
    INDArray noiseDerivative = s[4];
    // The noise's derivative first, while d's buffer is still free to serve as its scratch.
    if (gIn[1] != null) UniformNoise.gumbelDerivative(in[1], s[0], noiseDerivative, d);
    Kernels.mul(g, out, d);              // d/dx of the softmax's input x: y (g - sum(g y))
    Kernels.rowSum(d, s[2]);
    Kernels.subColumn(g, s[2], d);
    d.muli(out);
    d.muli(1.0 / temperature());           // x = (logits + gumbel(u)) / temperature
    if (gIn[0] != null) gIn[0].assign(d);
    if (gIn[1] != null) {
      noiseDerivative.muli(d);
      gIn[1].assign(noiseDerivative);
    }
  }

  @Override public String describe() { return "concrete_rsample(temperature=" + temperature() + ")"; }
}
