package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Free bits (Kingma et al. 2016): a floor of lambda nats on a KL term taken over the mini-batch.
 * Input: the term per row (batch x 1). With m the mean over all rows of the pass (the mini-batch,
 * with its sample rows), each row's output is its own value when m &gt; lambda and lambda when not,
 * so the mean of the output over rows is max(lambda, m) exactly, the paper's max(lambda, E_batch KL).
 * Its gradient is the identity when m &gt; lambda and zero when not (the indicator is piecewise
 * constant, so this is the exact derivative away from m = lambda). This op reads the whole batch:
 * one row's output depends on every row.
 */
public final class FreeBits implements Op {
  private final double lambda;
  private boolean active;

  public FreeBits(double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) throw new IllegalArgumentException("free bits must be a non-negative number, got " + lambda);
    this.lambda = lambda;
  }

  static boolean above(INDArray kl, double lambda) { return kl.meanNumber().doubleValue() > lambda; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != 1) throw new IllegalArgumentException("free bits takes a batch x 1 term, not " + in.get(0).width() + " wide");
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    active = above(in[0], lambda);
    if (active) out.assign(in[0]);
    else out.assign(lambda);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    if (above(in[0], lambda)) gIn[0].assign(g);
    else gIn[0].assign(0);
  }

  @Override public String describe() { return "free_bits(" + lambda + ")"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
}
