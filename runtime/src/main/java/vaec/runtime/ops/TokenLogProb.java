package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * log p of token sequences under per-position categoricals: inputs (ids: batch x L, logits:
 * batch x L*V, position t's V logits in columns [t*V, (t+1)*V)). Output batch x 1:
 * sum over the positions t that are not padding of log softmax(logits_t)[id_t]. Padding
 * positions contribute nothing, to the value or to the gradient. The ids get no gradient.
 * Scratch holds the softmax for the backward pass.
 */
public final class TokenLogProb implements Op {
  private final int length;
  private final int vocab;

  public TokenLogProb(int length, int vocab) {
    this.length = length;
    this.vocab = vocab;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != length || in.get(1).width() != length * vocab) {
      throw new IllegalArgumentException("token_log_prob: ids " + in.get(0).width() + ", logits " + in.get(1).width()
          + "; expected " + length + " and " + length * vocab);
    }
    return 1;
  }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {length * vocab}; }

  /** Fills {@code soft} with each position's softmax and returns each row's masked log-probability. */
  static double[] logProbs(double[] ids, double[] logits, double[] soft, int rows, int length, int vocab) {
    double[] out = new double[rows];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < length; t++) {
        int base = (b * length + t) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < vocab; k++) max = Math.max(max, logits[base + k]);
        double sum = 0;
        for (int k = 0; k < vocab; k++) {
          double e = Math.exp(logits[base + k] - max);
          soft[base + k] = e;
          sum += e;
        }
        for (int k = 0; k < vocab; k++) soft[base + k] /= sum;
        int id = (int) ids[b * length + t];
        if (id == Vocabulary.PAD) continue;
        if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " outside a vocabulary of " + vocab);
        out[b] += logits[base + id] - max - Math.log(sum);
      }
    }
    return out;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    int rows = (int) in[0].rows();
    double[] soft = new double[rows * length * vocab];
    double[] lp = logProbs(HostArrays.read(in[0]), HostArrays.read(in[1]), soft, rows, length, vocab);
    HostArrays.write(s[0], soft);
    HostArrays.write(out, lp);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) gIn[0].assign(0);
    if (gIn[1] == null) return;
    int rows = (int) in[0].rows();
    double[] ids = HostArrays.read(in[0]);
    double[] soft = HostArrays.read(s[0]);
    double[] go = HostArrays.read(g);
    double[] d = new double[rows * length * vocab];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < length; t++) {
        int id = (int) ids[b * length + t];
        if (id == Vocabulary.PAD) continue;
        int base = (b * length + t) * vocab;
        for (int k = 0; k < vocab; k++) d[base + k] = -go[b] * soft[base + k];
        d[base + id] += go[b];
      }
    }
    HostArrays.write(gIn[1], d);
  }

  @Override public String describe() { return "token_log_prob(" + length + " x " + vocab + ")"; }
}
