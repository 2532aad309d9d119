package vaec.compiler.emit;

import java.util.Map;
import java.util.stream.Collectors;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;

/** The readable text form of a graph, one node a line, and its Graphviz DOT form. */
public final class GraphText {
  private GraphText() {}

  /**
   * "batch"; "batch*k" for a value stacked k times along the rows (the branches of an enumerated
   * latent); "batch/k" for a value computed once per example under an objective with k samples per
   * example.
   */
  private static String rows(Node n) {
    String r = n.rows() > 1 ? "batch*" + n.rows() : "batch";
    return n.rowGroup() > 1 ? r + "/" + n.rowGroup() : r;
  }

  public static String text(String title, Graph g) {
    StringBuilder b = new StringBuilder("graph ").append(title).append(" {\n");
    for (Node n : g.nodes()) {
      String ins = n.inputs().stream().map(i -> "%" + i.id()).collect(Collectors.joining(", "));
      b.append(String.format("  %%%-4d = %-40s : %s x %-6d", n.id(),
          n.label() + (ins.isEmpty() ? "" : "(" + ins + ")"), rows(n), n.width()));
      if (n.origin().line() > 0) b.append("  # line ").append(n.origin().line());
      b.append('\n');
    }
    for (Map.Entry<String, Node> o : g.outputs().entrySet()) b.append("  output ").append(o.getKey()).append(" = %").append(o.getValue().id()).append('\n');
    if (g.loss() != null) b.append("  loss = mean over batch of %").append(g.loss().id()).append('\n');
    return b.append("}\n").toString();
  }

  public static String dot(String title, Graph g) {
    StringBuilder b = new StringBuilder("digraph \"").append(title).append("\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
    for (Node n : g.nodes()) {
      String shape = switch (n.kind()) {
        case INPUT -> "shape=invhouse, style=filled, fillcolor=\"#dbe9ff\"";
        case NOISE -> "shape=diamond, style=filled, fillcolor=\"#fff2c2\"";
        case PARAM -> "shape=box, style=filled, fillcolor=\"#e6e6e6\"";
        case CONSTANT -> "shape=plaintext";
        case OP -> "shape=ellipse";
      };
      b.append(String.format("  n%d [label=\"%s\\n%s x %d\", %s];%n", n.id(), n.label().replace("\"", "'"), rows(n), n.width(), shape));
    }
    for (Node n : g.nodes()) for (Node i : n.inputs()) b.append(String.format("  n%d -> n%d;%n", i.id(), n.id()));
    for (Map.Entry<String, Node> o : g.outputs().entrySet()) {
      b.append(String.format("  out_%s [label=\"%s\", shape=doublecircle];%n  n%d -> out_%s;%n", o.getKey(), o.getKey(), o.getValue().id(), o.getKey()));
    }
    return b.append("}\n").toString();
  }
}
