package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.kernels.Gemm;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Inputs (indices, codebook): each row's {@code positions} code vectors e_{k_p}, for the index k_p
 * at position p, laid out channels first as {@link NearestCode} reads them (column j * positions + p
 * is component j of e_{k_p}). The gradient reaches the codebook only (indices are not
 * differentiable): code k's gradient is the sum of the output's gradient over the positions that
 * chose k.
 */
public final class CodeLookup implements Op {
  private final int positions;
  private final int width;
  private final int codes;

  public CodeLookup(int positions, int width, int codes) {
    this.positions = positions;
    this.width = width;
    this.codes = codes;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != positions) throw new IllegalArgumentException("code lookup: " + in.get(0).width() + " indices, expected " + positions);
    if (in.get(1).width() != width) throw new IllegalArgumentException("code lookup: codebook width " + in.get(1).width() + ", expected " + width);
    return positions * width;
  }

  /** The indices as a one-hot matrix (positions x codes per row), for the codebook's gradient. */
  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {positions * codes}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    int[] ids = indices(in[0]);
    INDArray picked = Nd4j.pullRows(book(in[1]), 1, ids);
    out.reshape('c', new long[] {out.rows(), width, positions}).assign(picked.reshape('c', new long[] {out.rows(), positions, width}).permute(0, 2, 1));
  }

  private int[] indices(INDArray idx) {
    int[] ids = idx.castTo(DataType.INT).reshape('c', new long[] {idx.length()}).toIntVector();
    for (int k : ids) if (k < 0 || k >= codes) throw new IllegalStateException("code index " + k + " outside 0.." + (codes - 1));
    return ids;
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) gIn[0].assign(0);
    if (gIn[1] == null) return;
    int[] ids = indices(in[0]);
    INDArray oneHot = s[0].reshape('c', new long[] {ids.length, codes});
    oneHot.assign(0);
    for (int i = 0; i < ids.length; i++) oneHot.putScalar(i, ids[i], 1.0);
    INDArray g3 = (g.isView() ? g.dup('c') : g).reshape('c', new long[] {g.rows(), width, positions});
    INDArray gFlat = g3.permute(0, 2, 1).dup('c').reshape('c', new long[] {ids.length, width});
    // code k's gradient: the sum of the output's gradient over the positions that chose k
    Gemm.gemm(oneHot, true, gFlat, false, book(gIn[1]), 1.0, 0.0);
  }

  private INDArray book(INDArray a) { return a.rank() == 2 ? a : a.reshape(codes, width); }

  @Override public String describe() { return "code_lookup(" + positions + " x " + width + ", " + codes + " codes)"; }
}
