package vaec.runtime.kernels;

import java.util.List;
import vaec.runtime.graph.Node;

/** The width checks ops make on their inputs in {@code Op.outputWidth} (log-densities, samplers, KLs). */
public final class LogProbs {
  private LogProbs() {}

  /** Throws IllegalArgumentException naming {@code what} unless every input has the same width. */
  public static void sameWidths(String what, List<Node> in) {
    int w = in.get(0).width();
    for (Node n : in) {
      if (n.width() != w) throw new IllegalArgumentException(what + ": widths differ: " + in);
    }
  }
}
