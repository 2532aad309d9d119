package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.kernels.Gemm;

/**
 * Vector quantization's nearest-neighbour search (van den Oord, Vinyals and Kavukcuoglu 2017):
 * inputs (z_e, codebook) with z_e of width x positions columns laid out channels first, as an image
 * of {@code width} channels over the positions (column j * positions + p is component j of the
 * vector at position p, the layout of convolutional layers), and the codebook a codes x width
 * parameter. Output, per row and
 * position, the index of the nearest code in squared Euclidean distance (the smallest index on a
 * tie), as a number. The distances come from one product, |e_k|^2 - 2 z . e_k (|z|^2 is the same
 * for every k); the index is piecewise constant, so no gradient flows.
 */
public final class NearestCode implements Op {
  private final int positions;
  private final int width;
  private final int codes;

  public NearestCode(int positions, int width, int codes) {
    if (positions < 1 || width < 1 || codes < 2) throw new IllegalArgumentException("nearest code: " + positions + " x " + width + ", " + codes + " codes");
    this.positions = positions;
    this.width = width;
    this.codes = codes;
  }

  /** The number of codes searched. */
  public int codes() { return codes; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != positions * width) {
      throw new IllegalArgumentException("nearest code: input width " + in.get(0).width() + ", expected " + positions + " x " + width);
    }
    if (in.get(1).width() != width) throw new IllegalArgumentException("nearest code: codebook width " + in.get(1).width() + ", expected " + width);
    return positions;
  }

  /** The distances (positions x codes per row) and a contiguous copy of z_e. */
  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {positions * codes, positions * width}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    long rows = out.rows();
    INDArray z = s[1];
    // channels first: column j * positions + p is component j of position p's vector
    INDArray src = in[0].isView() ? in[0].dup('c') : in[0];
    z.reshape('c', new long[] {rows, positions, width}).assign(src.reshape('c', new long[] {rows, width, positions}).permute(0, 2, 1));
    INDArray flat = z.reshape('c', new long[] {rows * positions, width});
    INDArray dist = s[0].reshape('c', new long[] {rows * positions, codes});
    INDArray book = in[1].rank() == 2 ? in[1] : in[1].reshape(codes, width);
    Gemm.gemm(flat, false, book, true, dist, -2.0, 0.0);
    INDArray norms = book.mul(book).sum(1).reshape(1, codes).castTo(dist.dataType());
    dist.addiRowVector(norms);
    // ND4J's arg-min returns the first index of the smallest value on a tie.
    INDArray best = Nd4j.argMin(dist, 1);
    out.assign(best.reshape('c', new long[] {rows, positions}).castTo(out.dataType()));
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "nearest_code(" + positions + " x " + width + ", " + codes + " codes)"; }
}
