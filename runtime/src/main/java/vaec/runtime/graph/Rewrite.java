package vaec.runtime.graph;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A copy of a graph with some op nodes replaced by values built anew and some dropped: how a pass
 * over lowered graphs (the compiler's rewrites) makes its result without touching its input. The
 * copy keeps what the runtime identifies nodes by: inputs by name, parameters by name, each
 * noise's key (so it draws the same values, {@link Node#noiseKey}), constants, schedules, rows
 * per example and row groups, outputs, the loss, and linked inputs (their handles mapped by the
 * caller, for a companion graph whose training graph was rewritten).
 */
public final class Rewrite {
  private Rewrite() {}

  /** The value that replaces a node, built in the copy from the copies of the original nodes it reads. */
  public interface Replacement {
    Node build(Graph out, Function<Node, Node> copyOf);
  }

  /** The copy, and each original node's copy (its replacement for a replaced node; none for a dropped one). */
  public record Result(Graph graph, Map<Node, Node> copies) {
    /** The copy of {@code original}; throws if it was dropped. */
    public Node copyOf(Node original) {
      Node c = copies.get(original);
      if (c == null) throw new IllegalArgumentException(original + " has no copy (dropped, or of another graph)");
      return c;
    }
  }

  /**
   * {@code g} copied node by node in order, except that each node in {@code replacements} is
   * replaced by what its replacement builds (of the same width and rows per example) and each op
   * node in {@code dropped} is left out (nothing that stays may read it). Linked inputs read
   * {@code links} applied to their handle.
   */
  public static Result apply(Graph g, Map<Node, Replacement> replacements, Set<Node> dropped, UnaryOperator<Graph.Link> links) {
    Graph out = new Graph();
    Map<Node, Node> map = new IdentityHashMap<>();
    Map<Node, Graph.Link> linked = new IdentityHashMap<>();
    for (Graph.LinkedInput l : g.linkedInputs()) linked.put(l.input(), l.source());
    Function<Node, Node> copyOf = n -> {
      Node c = map.get(n);
      if (c == null) throw new IllegalStateException(n + " is read after it was dropped");
      return c;
    };
    for (Node n : g.nodes()) {
      if (dropped.contains(n)) {
        if (n.kind() != Node.Kind.OP) throw new IllegalArgumentException("only op nodes are dropped: " + n);
        continue;
      }
      out.setRows(Math.max(1, n.kind() == Node.Kind.OP ? n.inputRows() : n.rows()));
      Replacement r = replacements.get(n);
      Node c;
      if (r != null) {
        c = r.build(out, copyOf);
        if (c.width() != n.width()) throw new IllegalStateException(n + " is " + n.width() + " wide, its replacement " + c.width());
      } else {
        c = switch (n.kind()) {
          case INPUT -> linked.containsKey(n) ? out.linkedInput(n.name(), links.apply(linked.get(n))) : out.input(n.name(), n.width());
          case NOISE, PARAM, CONSTANT -> out.copyLeaf(n);
          case OP -> out.apply(n.op(), n.origin(), n.inputs().stream().map(copyOf).toArray(Node[]::new));
        };
        if (n.kind() == Node.Kind.OP && n.op() instanceof vaec.runtime.ops.RepeatEachRow) out.noteExpanded(c.input(0), c);
      }
      if (c.rows() != n.rows()) throw new IllegalStateException(n + " has " + n.rows() + " rows per example, its copy " + c.rows());
      if (c.rowGroup() != n.rowGroup()) throw new IllegalStateException(n + " has row group " + n.rowGroup() + ", its copy " + c.rowGroup());
      map.put(n, c);
    }
    out.setRows(g.rows());
    for (var e : g.outputs().entrySet()) out.output(e.getKey(), copyOf.apply(e.getValue()));
    if (g.loss() != null) out.setLoss(copyOf.apply(g.loss()));
    return new Result(out, map);
  }
}
