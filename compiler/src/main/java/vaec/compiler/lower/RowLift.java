package vaec.compiler.lower;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.ops.RepeatRows;

/**
 * Values of one lowering at the rows of the scope that reads them. The stacked branches of an
 * enumerated latent run on several blocks of rows at once ({@link vaec.runtime.graph.Node#rows});
 * a value lowered before the enumeration (the data, the encoder's body, an earlier latent) is read
 * there as copies of itself, one per block ({@link RepeatRows}), made once per value and height.
 * Constants and parameters fit any rows and are read as they are.
 */
final class RowLift {
  private final Graph g;
  private final Map<Node, Map<Integer, Node>> lifted = new IdentityHashMap<>();

  RowLift(Graph g) { this.g = g; }

  /** {@code n} at {@code rows} rows per example. */
  Node to(Node n, int rows) {
    if (n == null || n.broadcast() || n.rows() == rows) return n;
    if (rows % n.rows() != 0) throw new IllegalStateException(n + " has " + n.rows() + " rows per example, which do not stack to " + rows);
    return lifted.computeIfAbsent(n, k -> new HashMap<>()).computeIfAbsent(rows, r -> g.apply(new RepeatRows(r / n.rows()), n.origin(), n));
  }

  /** Runs {@code body} with new nodes that read no stacked value made at {@code rows} rows per example. */
  <T> T at(int rows, Supplier<T> body) {
    int before = g.setRows(rows);
    try {
      return body.get();
    } finally {
      g.setRows(before);
    }
  }
}
