package vaec.compiler.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Rewrite;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.DenseRows;
import vaec.runtime.ops.RepeatRows;

/**
 * A pass over lowered graphs: a dense layer whose input is a concatenation of which some parts are
 * block-repeated (the same value in every block of an enumerated latent's stacked rows, {@link
 * RepeatRows}) meets those parts once per example, before the repetition.
 *
 * <p>With W split by rows into the blocks the parts meet, dense(concat(repeat(h), c)) =
 * f(repeat(h W_h) + c W_c + b): h W_h on the batch's rows instead of K copies of them, and neither
 * the copies of h nor the concatenation made, in either pass. Each block of the product is one
 * {@link DenseRows} on a view of the same weight, so the parameter, its name, its checkpoint entry
 * and its optimizer state are unchanged, and its gradient is the same sum (the repeated part's
 * rows get sum over blocks of h^T dy_j as (h^T) (sum_j dy_j)); only the order of float sums
 * changes. Where every part is repeated, the whole layer runs once per example and its output is
 * repeated. Consecutive parts of one kind meet their rows together (one product on their
 * concatenation). Nodes only the factored layers read (the copies, the concatenation) are left out.
 *
 * <p>A pure function: the graphs given are not changed; a graph with nothing to factor is
 * returned as it is.
 */
public final class RepeatedRowsFactoring {
  private RepeatedRowsFactoring() {}

  /** {@code g} with every dense layer over repeated parts factored (itself when there is none). */
  public static Graph apply(Graph g) {
    return rewrite(g, Set.of(), UnaryOperator.identity(), false).graph();
  }

  /**
   * The training graph and its companion, factored together: nodes of the training graph that the
   * companion links to are kept, and the companion's links follow them into the rewritten graph.
   */
  public static GraphLowering.Training apply(GraphLowering.Training t) {
    if (t.companion() == null) return new GraphLowering.Training(apply(t.train()), null);
    Set<Node> linked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Graph.LinkedInput l : t.companion().linkedInputs()) linked.add(l.source().node());
    Rewrite.Result train = rewrite(t.train(), linked, UnaryOperator.identity(), false);
    boolean moved = train.graph() != t.train();
    Rewrite.Result companion = rewrite(t.companion(), Set.of(),
        l -> new Graph.Link(train.copyOf(l.node()), l.gradient()), moved);
    return new GraphLowering.Training(train.graph(), companion.graph());
  }

  private static Rewrite.Result rewrite(Graph g, Set<Node> keep, UnaryOperator<Graph.Link> links, boolean copyAnyway) {
    Map<Node, Plan> plans = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      Plan p = plan(n);
      if (p != null) plans.put(n, p);
    }
    if (plans.isEmpty() && !copyAnyway) {
      Map<Node, Node> same = new IdentityHashMap<>();
      for (Node n : g.nodes()) same.put(n, n);
      return new Rewrite.Result(g, same);
    }
    Map<Node, Rewrite.Replacement> replacements = new LinkedHashMap<>();
    for (var e : plans.entrySet()) replacements.put(e.getKey(), e.getValue()::build);
    return Rewrite.apply(g, replacements, dropped(g, plans, keep), links);
  }

  /**
   * The op nodes that only factored layers read, directly or through other such nodes (the
   * concatenations and the copies of the repeated parts): read before, by nothing after. Outputs,
   * the loss, nodes in {@code keep} and ops with state stay, as does anything nothing read before.
   */
  private static Set<Node> dropped(Graph g, Map<Node, Plan> plans, Set<Node> keep) {
    List<Node> nodes = g.nodes();
    boolean[] needed = new boolean[nodes.size()];
    for (Node n : g.outputs().values()) needed[n.id()] = true;
    if (g.loss() != null) needed[g.loss().id()] = true;
    for (Node n : keep) needed[n.id()] = true;
    for (Plan p : plans.values()) for (Node r : p.reads()) needed[r.id()] = true;
    List<List<Node>> consumers = g.consumers();
    Set<Node> dropped = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (needed[i] || n.kind() != Node.Kind.OP || n.op().hasState() || consumers.get(i).isEmpty()) continue;
      boolean read = false;
      for (Node c : consumers.get(i)) read |= !dropped.contains(c) && !plans.containsKey(c);
      if (!read) dropped.add(n);
    }
    return dropped;
  }

  /**
   * Consecutive parts of the concatenation of one kind (repeated: the values before their copies;
   * or stacked), which meet rows {@code from} to {@code to} - 1 of the weight.
   */
  private record Part(List<Node> values, int from, int to, boolean repeated) {}

  /** Runs of consecutive parts of one kind, each meeting its rows of the weight in one product. */
  private record Plan(Node dense, List<Part> runs, int copies) {
    List<Node> reads() {
      List<Node> r = new ArrayList<>(List.of(dense.input(1), dense.input(2)));
      for (Part p : runs) r.addAll(p.values());
      return r;
    }

    Node build(Graph out, Function<Node, Node> copyOf) {
      SourceRef o = dense.origin();
      Activation act = ((Dense) dense.op()).activation();
      Node w = dense.input(1);
      Node b = dense.input(2);
      List<Part> repeated = runs.stream().filter(Part::repeated).toList();
      List<Part> stacked = runs.stream().filter(p -> !p.repeated()).toList();
      Node sum = null;
      for (int i = 0; i < repeated.size(); i++) {
        Part p = repeated.get(i);
        boolean last = stacked.isEmpty() && i == repeated.size() - 1;   // the whole layer once per example
        sum = block(out, o, p, last ? act : Activation.IDENTITY, w, last ? b : null, sum, copyOf);
      }
      sum = out.apply(new RepeatRows(copies), o, sum);
      for (int i = 0; i < stacked.size(); i++) {
        boolean last = i == stacked.size() - 1;
        sum = block(out, o, stacked.get(i), last ? act : Activation.IDENTITY, w, last ? b : null, sum, copyOf);
      }
      return sum;
    }

    private static Node block(Graph out, SourceRef o, Part p, Activation act, Node w, Node bias, Node addend,
                              Function<Node, Node> copyOf) {
      List<Node> in = new ArrayList<>();
      Node[] values = p.values().stream().map(copyOf).toArray(Node[]::new);
      in.add(values.length == 1 ? values[0] : out.apply(new Concat(), o, values));
      int rows = Math.max(1, in.get(0).rows());
      in.add(rowFree(out, w, rows, copyOf));
      if (bias != null) in.add(rowFree(out, bias, rows, copyOf));
      if (addend != null) in.add(addend);
      return out.apply(new DenseRows(p.from(), p.to(), act, bias != null, addend != null), o, in.toArray(Node[]::new));
    }
  }

  /**
   * A weight or bias read at {@code rows} rows per example: its copy, or for an op on parameters
   * alone (a frozen use, the parameter behind a stop-gradient, made at the rows of the layer that
   * read it) the same op made anew at those rows.
   */
  private static Node rowFree(Graph out, Node n, int rows, Function<Node, Node> copyOf) {
    if (n.broadcast() || n.rows() == rows || !onParameters(n)) return copyOf.apply(n);
    Node[] in = n.inputs().stream().map(i -> rowFree(out, i, rows, copyOf)).toArray(Node[]::new);
    int before = out.setRows(rows);
    try {
      return out.apply(n.op(), n.origin(), in);
    } finally {
      out.setRows(before);
    }
  }

  /** Whether {@code n} reads parameters and constants alone, directly or through ops. */
  private static boolean onParameters(Node n) {
    if (n.broadcast()) return true;
    if (n.kind() != Node.Kind.OP || n.op().hasState()) return false;
    for (Node i : n.inputs()) if (!onParameters(i)) return false;
    return true;
  }

  /** The plan for factoring {@code n}, or null when it is not a dense layer over a concatenation with repeated parts. */
  private static Plan plan(Node n) {
    if (n.kind() != Node.Kind.OP || !(n.op() instanceof Dense) || n.rowGroup() != 1) return null;
    Node cat = n.input(0);
    if (cat.kind() != Node.Kind.OP || !(cat.op() instanceof Concat) || cat.rowGroup() != 1) return null;
    int copies = 0;
    for (Node p : cat.inputs()) {
      if (repeatedBy(p) > 0) {
        copies = repeatedBy(p);
        break;
      }
    }
    if (copies == 0) return null;
    // Runs of consecutive parts of one kind: repeated (by that count; read before the copies) or
    // stacked. A run of several parts meets its rows in one product, on their concatenation.
    List<Part> runs = new ArrayList<>();
    int row = 0;
    for (Node p : cat.inputs()) {
      boolean rep = repeatedBy(p) == copies;
      Node v = rep ? p.input(0) : p;
      Part last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last.repeated() == rep) {
        List<Node> vs = new ArrayList<>(last.values());
        vs.add(v);
        runs.set(runs.size() - 1, new Part(vs, last.from(), row + p.width(), rep));
      } else {
        runs.add(new Part(List.of(v), row, row + p.width(), rep));
      }
      row += p.width();
    }
    return new Plan(n, runs, copies);
  }

  /** The copies a part is made of ({@link RepeatRows} of a value computed before them), or 0. */
  private static int repeatedBy(Node p) {
    return p.kind() == Node.Kind.OP && p.op() instanceof RepeatRows r && p.input(0).rowGroup() == 1 ? r.copies() : 0;
  }
}
