package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The indicator of {@link FreeBits} applied to another value: inputs (x, kl), output x where the
 * mean of kl over all rows is above lambda and 0 where it is not. It is how a score-function
 * learning signal follows the floored objective: a KL part the floor holds constant contributes
 * nothing to the gradient, so it contributes nothing to the signal either. No gradient flows to kl
 * (the indicator is piecewise constant); x gets the gated gradient.
 */
public final class FreeBitsGate implements Op {
  private final double lambda;

  public FreeBitsGate(double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) throw new IllegalArgumentException("free bits must be a non-negative number, got " + lambda);
    this.lambda = lambda;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(1).width() != 1) throw new IllegalArgumentException("the free-bits gate reads a batch x 1 KL term");
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (FreeBits.above(in[1], lambda)) out.assign(in[0]);
    else out.assign(0);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    boolean on = FreeBits.above(in[1], lambda);
    if (gIn[0] != null) {
      if (on) gIn[0].assign(g);
      else gIn[0].assign(0);
    }
    if (gIn[1] != null) gIn[1].assign(0);
  }

  @Override public String describe() { return "free_bits_gate(" + lambda + ")"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
}
