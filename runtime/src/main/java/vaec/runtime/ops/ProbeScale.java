package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * rms(v) / (2 delta) per example: with {@link DirectionalProbe}s at +delta and -delta,
 * (F(theta+) - F(theta-)) times this factor is the directional derivative dF/dtheta . v to second
 * order in delta. Input v; output batch x 1; not differentiated.
 */
public final class ProbeScale implements Op {
  /** Added to the RMS so that an example whose direction is zero moves nowhere instead of dividing by 0. */
  static final double TINY = 1e-30;

  private final double delta;

  public ProbeScale(double delta) { this.delta = delta; }

  @Override public int outputWidth(List<Node> in) { return 1; }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    rms(in[0], out, s[0]);
    out.muli(1.0 / (2 * delta));
  }

  /** r (batch x 1) = sqrt(mean over columns of v^2) + TINY; {@code work} is batch x width. */
  static void rms(INDArray v, INDArray r, INDArray work) {
    Kernels.mul(v, v, work);
    Kernels.rowSum(work, r);
    r.muli(1.0 / v.columns());
    Kernels.sqrt(r, r);
    r.addi(TINY);
  }

  @Override public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, boolean[] acc, INDArray[] s) {}
  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "probe_scale(" + delta + ")"; }
}
