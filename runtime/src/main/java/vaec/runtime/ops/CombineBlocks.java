package vaec.runtime.ops;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.RowBlocks;

/**
 * A fixed linear combination of the blocks of its input: for an input of k blocks of r rows, the
 * output (r rows) is sum_j c_j block_j, added in block order. How REBAR and RELAX read the control
 * variate evaluated at several relaxed values in one pass ({@link StackRows}): a coefficient vector
 * with a single 1 takes one value out, (-1, 1) takes the difference of two. The gradient of block
 * j is c_j times the output's.
 */
public final class CombineBlocks implements Op {
  private final double[] coefficients;

  public CombineBlocks(double... coefficients) {
    if (coefficients.length < 1) throw new IllegalArgumentException("no blocks to combine");
    this.coefficients = coefficients.clone();
  }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public int outputRows(int inputRows) {
    if (inputRows % coefficients.length != 0) {
      throw new IllegalArgumentException(inputRows + " rows per example are not " + coefficients.length + " blocks");
    }
    return inputRows / coefficients.length;
  }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { RowBlocks.combine(coefficients, in[0], out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) RowBlocks.spread(coefficients, g, gIn[0]);
  }

  /** Reads across rows (blocks of the batch), so never at one row per example (see Graph#apply). */
  @Override public boolean rowwise() { return false; }
  /** Per example: each block holds every example's rows in batch order. */
  @Override public boolean perExample() { return true; }

  @Override
  public String describe() {
    return "combine_blocks(" + Arrays.stream(coefficients).mapToObj(c -> c == Math.rint(c) && Math.abs(c) < 1e15 ? Long.toString((long) c)
        : Double.toString(c)).collect(Collectors.joining(", ")) + ")";
  }
}
