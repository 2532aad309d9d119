package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Token embedding of a whole sequence: inputs (ids: batch x L token ids as floats, table: V x E)
 * and, with word dropout, a third input of batch x L uniform noise. Output batch x (L*E): the
 * embedding of position t in columns [t*E, (t+1)*E).
 *
 * <p>{@code shifted}: position t embeds the token at t - 1, and position 0 the begin token
 * ({@link Vocabulary#BOS}): the input a teacher-forced decoder reads at each step. With
 * {@code dropRate} p > 0 and the noise input, a token read this way is replaced by the unknown
 * token ({@link Vocabulary#UNK}) when its noise value is below p (word dropout, Bowman et al.
 * 2016); the begin token is never dropped. The ids get no gradient (zeros when asked); the
 * table's gradient is scattered from the output's.
 */
public final class TokenEmbed implements Op {
  private final int length;
  private final int vocab;
  private final int dim;
  private final boolean shifted;
  private final double dropRate;

  public TokenEmbed(int length, int vocab, int dim, boolean shifted, double dropRate) {
    this.length = length;
    this.vocab = vocab;
    this.dim = dim;
    this.shifted = shifted;
    this.dropRate = dropRate;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != length) throw new IllegalArgumentException("token_embed: ids of width " + in.get(0).width() + ", expected " + length);
    if (in.size() > 2 && in.get(2).width() != length) throw new IllegalArgumentException("token_embed: noise of width " + in.get(2).width());
    return length * dim;
  }

  /** The id each output position embeds, for row-major ids of {@code rows} rows. */
  int[] inputIds(double[] ids, double[] noise, int rows) {
    int[] out = new int[rows * length];
    for (int b = 0; b < rows; b++) {
      for (int t = 0; t < length; t++) {
        int id;
        if (!shifted) id = (int) ids[b * length + t];
        else if (t == 0) id = Vocabulary.BOS;
        else {
          id = (int) ids[b * length + t - 1];
          if (noise != null && dropRate > 0 && id != Vocabulary.PAD && noise[b * length + t - 1] < dropRate) id = Vocabulary.UNK;
        }
        if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " outside a vocabulary of " + vocab);
        out[b * length + t] = id;
      }
    }
    return out;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    int rows = (int) in[0].rows();
    int[] ids = inputIds(HostArrays.read(in[0]), in.length > 2 ? HostArrays.read(in[2]) : null, rows);
    double[] table = HostArrays.read(in[1]);
    double[] o = new double[rows * length * dim];
    for (int i = 0; i < ids.length; i++) System.arraycopy(table, ids[i] * dim, o, i * dim, dim);
    HostArrays.write(out, o);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) gIn[0].assign(0);
    if (in.length > 2 && gIn[2] != null) gIn[2].assign(0);
    if (gIn[1] == null) return;
    int rows = (int) in[0].rows();
    int[] ids = inputIds(HostArrays.read(in[0]), in.length > 2 ? HostArrays.read(in[2]) : null, rows);
    double[] go = HostArrays.read(g);
    double[] gt = new double[vocab * dim];
    for (int i = 0; i < ids.length; i++) {
      int base = ids[i] * dim;
      for (int k = 0; k < dim; k++) gt[base + k] += go[i * dim + k];
    }
    HostArrays.write(gIn[1], gt);
  }

  @Override
  public String describe() {
    return "token_embed(" + length + " x " + vocab + " -> " + dim + (shifted ? ", shifted" : "")
        + (dropRate > 0 ? ", word_dropout " + dropRate : "") + ")";
  }
}
