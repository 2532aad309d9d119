package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.RowBlocks;

/**
 * Every value of an enumerated latent, one block of rows per value: block j of the output holds
 * {@code values[j]} in each of its rows. The input only gives the rows per block (its value is not
 * read), so the output lines up with the branches that {@link RepeatRows} stacks.
 */
public final class EnumeratedValues implements Op {
  private final double[][] values;

  public EnumeratedValues(List<double[]> values) {
    if (values.isEmpty()) throw new IllegalArgumentException("no values to enumerate");
    this.values = new double[values.size()][];
    for (int j = 0; j < values.size(); j++) {
      this.values[j] = values.get(j).clone();
      if (this.values[j].length != this.values[0].length) throw new IllegalArgumentException("values of different widths");
    }
  }

  @Override public int outputWidth(List<Node> in) { return values[0].length; }

  @Override public int outputRows(int inputRows) { return inputRows * values.length; }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { RowBlocks.fillBlocks(values, out); }

  @Override public boolean differentiable() { return false; }

  /** Reads across rows (blocks of the batch), so never at one row per example (see Graph#apply). */
  @Override public boolean rowwise() { return false; }
  /** Per example: its values are constants, the same for every example. */
  @Override public boolean perExample() { return true; }

  @Override public String describe() { return "enumerated_values(" + values.length + " x " + values[0].length + ")"; }
}
