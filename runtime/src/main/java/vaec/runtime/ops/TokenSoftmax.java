package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Each position's token probabilities from its logits: input batch x L*V, output the softmax of
 * every group of V columns. Used for the likelihood's mean (sampling and reconstruction read
 * it); not differentiable.
 */
public final class TokenSoftmax implements Op {
  private final int vocab;

  public TokenSoftmax(int vocab) { this.vocab = vocab; }

  @Override public int outputWidth(List<Node> in) {
    if (in.get(0).width() % vocab != 0) throw new IllegalArgumentException("token_softmax: width " + in.get(0).width() + " for " + vocab);
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] l = HostArrays.read(in[0]);
    int rows = (int) in[0].rows();
    int groups = (int) in[0].columns() / vocab;
    double[] soft = new double[l.length];
    TokenLogProb.logProbs(new double[rows * groups], l, soft, rows, groups, vocab);
    HostArrays.write(out, soft);
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "token_softmax(" + vocab + ")"; }
}
