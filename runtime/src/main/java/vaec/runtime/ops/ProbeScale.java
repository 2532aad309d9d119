package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.RelaxationKernels;

/**
 * rms(v) / (2 delta) per example: with {@link DirectionalProbe}s at +delta and -delta,
 * (F(theta+) - F(theta-)) times this factor is the directional derivative dF/dtheta . v to second
 * order in delta. Input v; output batch x 1; not differentiated.
 */
public final class ProbeScale implements Op {
  private final double delta;

  public ProbeScale(double delta) { this.delta = delta; }

  @Override public int outputWidth(List<Node> in) { return 1; }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width()}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    RelaxationKernels.rowRms(in[0], out, s[0]);     // no ND4J buffer per call
    Kernels.scale(out, 1.0 / (2 * delta), out);
  }

  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "probe_scale(" + delta + ")"; }
}
