package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.RowBlocks;

/**
 * Inputs (w, f), both {@code blocks} blocks of r rows by 1 column; output r x 1, row i the sum over
 * blocks j of w[j r + i] f[j r + i]. How an enumerated latent sums the branches that
 * {@link RepeatRows} stacked: w is q(value) and f the branch's terms, so each example gets
 * sum_value q(value) f(value).
 */
public final class WeightedBlockSum implements Op {
  private final int blocks;

  public WeightedBlockSum(int blocks) {
    if (blocks < 1) throw new IllegalArgumentException("blocks must be at least 1");
    this.blocks = blocks;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != 1 || in.get(1).width() != 1) {
      throw new IllegalArgumentException("weighted_block_sum reads two columns, not widths " + in.get(0).width() + " and " + in.get(1).width());
    }
    return 1;
  }

  @Override
  public int outputRows(int inputRows) {
    if (inputRows % blocks != 0) throw new IllegalArgumentException(inputRows + " rows per example are not " + blocks + " blocks");
    return inputRows / blocks;
  }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { RowBlocks.weightedSum(in[0], in[1], out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) RowBlocks.scaleByRepeated(g, in[1], gIn[0]);
    if (gIn[1] != null) RowBlocks.scaleByRepeated(g, in[0], gIn[1]);
  }

  /** Reads across rows (blocks of the batch), so never at one row per example (see Graph#apply). */
  @Override public boolean rowwise() { return false; }
  /** Per example: each block holds every example's rows in batch order. */
  @Override public boolean perExample() { return true; }

  @Override public String describe() { return "weighted_block_sum(" + blocks + ")"; }
}
