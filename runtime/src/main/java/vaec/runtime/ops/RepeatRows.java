package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.RowBlocks;

/**
 * Its input stacked {@code copies} times along the rows: block j of the output (rows j r ..
 * (j + 1) r - 1, for an input of r rows) is the input. How the branches of an enumerated latent
 * read a value computed before it: each branch is one block of rows, so the rest of the model runs
 * once, on all branches at the same time (one wide gemm per layer instead of one per branch). The
 * gradient sums the blocks.
 */
public final class RepeatRows implements Op {
  private final int copies;

  public RepeatRows(int copies) {
    if (copies < 1) throw new IllegalArgumentException("copies must be at least 1");
    this.copies = copies;
  }

  public int copies() { return copies; }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override public int outputRows(int inputRows) { return inputRows * copies; }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { RowBlocks.repeat(in[0], out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) RowBlocks.sumBlocks(g, gIn[0]);
  }

  /** Reads across rows (blocks of the batch), so never at one row per example (see Graph#apply). */
  @Override public boolean rowwise() { return false; }
  /** Per example: each block holds every example's rows in batch order. */
  @Override public boolean perExample() { return true; }

  @Override public String describe() { return "repeat_rows(x" + copies + ")"; }
}
