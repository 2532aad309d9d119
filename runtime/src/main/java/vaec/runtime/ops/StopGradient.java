package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/** The identity whose gradient is zero: how surrogate losses keep a factor out of differentiation. */
public final class StopGradient implements Op {
  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }
  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) {}
  @Override public boolean aliasesInput() { return true; }
  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "stop_gradient"; }
}
