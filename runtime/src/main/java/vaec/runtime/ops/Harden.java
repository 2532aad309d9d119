package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/**
 * The hard value nearest a relaxed draw: for a Concrete draw the one-hot of its largest entry,
 * for a relaxed Bernoulli draw 1 where it exceeds 1/2. Not differentiable: the straight-through
 * estimator routes the gradient around it (see {@link StraightThrough}). Exact ties in a row,
 * which need two equal float32 entries at the maximum, would mark both.
 */
public final class Harden implements Op {
  /** Which relaxation the draw came from. */
  public enum Kind { ONE_HOT, BINARY }

  private final Kind kind;

  public Harden(Kind kind) { this.kind = kind; }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override public int[] scratchWidths(List<Node> in) { return new int[] {1}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (kind == Kind.BINARY) {
      in[0].sub(0.5, out);
    } else {
      Kernels.rowMax(in[0], s[0]);
      Kernels.subColumn(in[0], s[0], out);   // 0 at the maximum, negative elsewhere
      out.addi(Float.MIN_NORMAL);
    }
    Kernels.step(out, out);
  }

  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return "harden[" + kind.name().toLowerCase(java.util.Locale.ROOT) + "]"; }
}
