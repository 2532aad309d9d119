package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The codebook perplexity of a batch: exp(-sum_k p_k log p_k), p_k the fraction of the batch's
 * (row, position) pairs that chose code k; from 1 (one code used) to the number of codes (all
 * used equally). Input: the indices (batch x positions); output: the batch's perplexity in every
 * row, so its mean over rows is the batch's value. Not differentiable.
 */
public final class CodePerplexity implements Op {
  private final int codes;

  public CodePerplexity(int codes) { this.codes = codes; }

  @Override public int outputWidth(List<Node> in) { return 1; }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {codes}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    Codebooks.View idx = Codebooks.View.of(in[0]);
    Codebooks.View count = Codebooks.View.of(s[0]);
    for (int k = 0; k < codes; k++) count.put(0, k, 0);
    long rows = in[0].rows();
    long positions = in[0].columns();
    for (long r = 0; r < rows; r++) {
      for (long p = 0; p < positions; p++) {
        int k = Codebooks.code(idx, r, p);
        count.put(0, k, count.get(0, k) + 1);
      }
    }
    double[] c = new double[codes];
    for (int k = 0; k < codes; k++) c[k] = count.get(0, k);
    out.assign(perplexity(c));
  }

  /** exp of the entropy of the normalized counts; 0 counts contribute nothing. */
  public static double perplexity(double[] counts) {
    double n = 0;
    for (double c : counts) n += c;
    if (n <= 0) return Double.NaN;
    double h = 0;
    for (double c : counts) if (c > 0) h -= (c / n) * Math.log(c / n);
    return Math.exp(h);
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "code_perplexity(" + codes + " codes)"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
}
