package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Whether position {@code t} of each token sequence (input: batch x L ids) holds a token rather
 * than padding, as a batch x {@code width} value: 1 where it does, 0 where it is padding. With
 * {@code mean}, 1/n instead of 1, n being the row's number of non-padding positions (mean
 * pooling). Not differentiable: token ids are data.
 */
public final class TokenMask implements Op {
  private final int position;
  private final int width;
  private final boolean mean;

  public TokenMask(int position, int width, boolean mean) {
    this.position = position;
    this.width = width;
    this.mean = mean;
  }

  @Override public int outputWidth(List<Node> in) {
    if (position >= in.get(0).width()) throw new IllegalArgumentException("token_mask: position " + position + " of " + in.get(0).width());
    return width;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    int rows = (int) in[0].rows();
    int len = (int) in[0].columns();
    double[] ids = HostArrays.read(in[0]);
    double[] o = new double[rows * width];
    for (int b = 0; b < rows; b++) {
      if (ids[b * len + position] == Vocabulary.PAD) continue;
      double v = 1;
      if (mean) {
        int n = 0;
        for (int t = 0; t < len; t++) if (ids[b * len + t] != Vocabulary.PAD) n++;
        v = 1.0 / n;
      }
      java.util.Arrays.fill(o, b * width, (b + 1) * width, v);
    }
    HostArrays.write(out, o);
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "token_mask(" + position + (mean ? ", mean" : "") + ")"; }
}
