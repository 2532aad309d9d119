package vaec.runtime.ops;

import java.util.List;
import vaec.runtime.graph.Node;

/** Checks shared by the log-density ops. */
final class LogProbs {
  private LogProbs() {}

  static void sameWidths(String what, List<Node> in) {
    int w = in.get(0).width();
    for (Node n : in) {
      if (n.width() != w) throw new IllegalArgumentException(what + ": widths differ: " + in);
    }
  }
}
