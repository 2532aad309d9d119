package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.RelaxationKernels;

/**
 * A point beside theta along direction v for a central finite difference in theta:
 * theta + sign * delta * v / rms(v), with the root mean square taken per example (row), so that
 * every example moves by delta in RMS whatever the scale of its gradient. Inputs (theta, v), both
 * values the graph is given rather than computes, so nothing is differentiated through it.
 * {@link ProbeScale} gives the factor that turns the difference back into a directional derivative.
 */
public final class DirectionalProbe implements Op {
  private final double signedDelta;

  public DirectionalProbe(double signedDelta) { this.signedDelta = signedDelta; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("directional probe", in);
    return in.get(0).width();
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), 1}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    // Kernels' reused ops throughout: no ND4J buffer per call (assign, diviColumnVector and muli make some)
    RelaxationKernels.rowRms(in[1], s[1], s[0]);   // tiny, not 0, for a zero direction: no division by 0
    Kernels.div(in[1], s[1], out);
    Kernels.scale(out, signedDelta, out);
    Kernels.add(out, in[0], out);
  }

  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "directional_probe(" + signedDelta + ")"; }
}
