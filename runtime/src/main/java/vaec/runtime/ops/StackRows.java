package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.RowBlocks;

/**
 * Its k inputs (of one width and one row count r) stacked along the rows: block j of the output
 * (rows j r .. (j + 1) r - 1) is input j. How REBAR and RELAX evaluate their control variate at
 * several relaxed values in one pass: the rest of the model then runs once on all of them (one
 * wide gemm per layer), as the branches of an enumerated latent do ({@link RepeatRows}). The
 * gradient of input j is block j of the output's.
 */
public final class StackRows implements Op {
  private final int blocks;

  public StackRows(int blocks) {
    if (blocks < 1) throw new IllegalArgumentException("blocks must be at least 1");
    this.blocks = blocks;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.size() != blocks) throw new IllegalArgumentException("stack_rows(" + blocks + ") reads " + blocks + " values, not " + in.size());
    int w = in.get(0).width();
    for (Node n : in) {
      if (n.width() != w) throw new IllegalArgumentException("stack_rows reads values of one width, not " + w + " and " + n.width());
    }
    return w;
  }

  @Override public int outputRows(int inputRows) { return inputRows * blocks; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    for (int j = 0; j < blocks; j++) RowBlocks.copyToBlock(in[j], j, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    for (int j = 0; j < blocks; j++) if (gIn[j] != null) RowBlocks.copyFromBlock(g, j, gIn[j]);
  }

  /** Reads across rows (blocks of the batch), so never at one row per example (see Graph#apply). */
  @Override public boolean rowwise() { return false; }
  /** Per example: each block holds every example's rows in batch order. */
  @Override public boolean perExample() { return true; }

  @Override public String describe() { return "stack_rows(" + blocks + ")"; }
}
