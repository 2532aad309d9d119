package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.kernels.RelaxationKernels;
import vaec.runtime.kernels.UniformNoise;

/**
 * Standard logistic noise log(uc / (1 - uc)) from uniform noise u, uc = u clamped into [EPS, 1 - EPS]
 * ({@link UniformNoise}): the noise of REBAR's and RELAX's logistic draws, made once per uniform
 * and read by every draw on it ({@link LogisticRsample}, {@link ConditionalLogistic}, each with
 * {@code fromNoise}). A REBAR step draws at the guide's logits and, in its variance objective, at
 * two probes beside them, all on the same two uniforms; each draw used to take its own logarithm of
 * the same odds. A sample, never differentiated.
 */
public final class LogisticNoise implements vaec.runtime.graph.Op {
  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (RelaxationKernels.applies(in[0], out)) {
      RelaxationKernels.logisticNoise(in[0], out);
      return;
    }
    UniformNoise.clamp(in[0], s[0]);
    UniformNoise.logistic(s[0], out);
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "logistic_noise"; }
}
