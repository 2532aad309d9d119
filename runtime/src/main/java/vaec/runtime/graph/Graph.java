package vaec.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A computation graph under construction or finished: nodes in topological order (every node's
 * inputs come before it), named outputs, and one optional per-example loss to minimize.
 */
public final class Graph {
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Node> outputs = new LinkedHashMap<>();
  private final Map<String, Node> params = new LinkedHashMap<>();
  private final Map<String, Node> inputsByName = new LinkedHashMap<>();
  private final List<LinkedInput> linkedInputs = new ArrayList<>();
  private Node loss;
  /** The rows per example of nodes made now that have no rows to inherit (inputs, noise, ops on constants only). */
  private int rows = 1;

  /**
   * Sets the rows per example given to nodes made from now on that read no stacked value (noise,
   * inputs, ops on constants and parameters only), and returns the previous setting: a lowering
   * sets it while it lowers the stacked branches of an enumerated latent, and restores it after.
   */
  public int setRows(int rowsPerExample) {
    if (rowsPerExample < 1) throw new IllegalArgumentException("rows per example must be at least 1");
    int before = rows;
    rows = rowsPerExample;
    return before;
  }

  /** The current setting of {@link #setRows}. */
  public int rows() { return rows; }

  /**
   * A handle on a node of another graph (the training graph): its value, or with {@code gradient}
   * the per-example gradient of that graph's loss at the node, after each training step's backward
   * pass. A companion graph's {@link #linkedInput} holds it; REBAR's and RELAX's variance objective
   * is such a companion (see CompiledModel). Links are objects, never matched by name.
   */
  public record Link(Node node, boolean gradient) {}

  /** An input of this graph filled from {@code source} (a node of another graph). */
  public record LinkedInput(Node input, Link source) {}

  public Node input(String name, int width) {
    Node n = add(Node.Kind.INPUT, name, null, List.of(), width, null, 0, null, SourceRef.NONE);
    inputsByName.put(name, n);
    return n;
  }

  public Node noise(String name, NoiseKind kind, int width) {
    return add(Node.Kind.NOISE, name, null, List.of(), width, null, 0, kind, SourceRef.NONE);
  }

  /** A trainable tensor; the same name in two graphs means the same parameter. */
  public Node param(String name, long... shape) {
    if (params.containsKey(name)) return params.get(name);
    Node n = add(Node.Kind.PARAM, name, null, List.of(), (int) shape[shape.length - 1], shape.clone(), 0,
        null, SourceRef.NONE);
    params.put(name, n);
    return n;
  }

  /** A constant broadcast to {@code width} columns. */
  public Node constant(double value, int width) {
    return add(Node.Kind.CONSTANT, null, null, List.of(), width, null, value, null, SourceRef.NONE);
  }

  /** A constant whose value follows a schedule; ops that read it as a setting follow it too. */
  public Node scheduledConstant(Schedule schedule, int width) {
    Node n = add(Node.Kind.CONSTANT, null, null, List.of(), width, null, schedule.initial(), null, SourceRef.NONE);
    n.setSchedule(schedule);
    return n;
  }

  /** A constant row (one value per column) repeated for every example. */
  public Node constantRow(double[] row) {
    Node n = add(Node.Kind.CONSTANT, null, null, List.of(), row.length, null, Double.NaN, null, SourceRef.NONE);
    n.setConstantRow(row);
    return n;
  }

  /**
   * The op applied to the inputs. Rows: where an objective repeats each example over k rows, the
   * graph reads the data through {@link vaec.runtime.ops.FirstOfGroup} (one row per example), and a
   * {@link Op#rowwise} op whose inputs are all at one row per example (parameters and constants
   * aside) is too: the guide's networks, and anything else that reads only the data, run once per
   * example. Where such a value meets one with k rows per example (a draw), or feeds an op that
   * reads across rows, it is widened by {@link vaec.runtime.ops.RepeatEachRow} (one per value, shared),
   * so every op sees inputs of one row count and the results are those of the repeated rows.
   */
  public Node apply(Op op, SourceRef origin, Node... in) {
    int group = 1;
    if (op instanceof vaec.runtime.ops.FirstOfGroup f) {
      if (in[0].rowGroup() != 1) throw new IllegalArgumentException("first_of_group reads a value with a row per batch row");
      group = f.groupSize();
    } else if (op instanceof vaec.runtime.ops.RepeatEachRow r) {
      if (in[0].rowGroup() != r.count()) throw new IllegalArgumentException("repeat_each_row[" + r.count() + "] reads " + in[0]);
    } else {
      boolean mixed = false;
      int seen = 0;   // the inputs' row group, 0 while only parameters and constants are seen
      for (Node i : in) {
        if (rowFree(i)) continue;
        if (seen == 0) seen = i.rowGroup();
        else if (seen != i.rowGroup()) mixed = true;
      }
      if (mixed || seen > 1 && !op.rowwise()) {
        in = in.clone();
        for (int j = 0; j < in.length; j++) in[j] = expanded(in[j]);
      } else if (seen > 1) {
        group = seen;
      }
    }
    List<Node> inputs = List.of(in);
    Node n = add(Node.Kind.OP, null, op, inputs, op.outputWidth(inputs), null, 0, null, origin);
    n.setRowGroup(group);
    return n;
  }

  /**
   * This graph for passes in which every example fills {@code k} consecutive rows (an evaluation's
   * k importance samples, or an objective's k samples): the same nodes, with every data input read
   * through {@link vaec.runtime.ops.FirstOfGroup}, so that what reads only the data (the guide's
   * networks) runs once per example and is widened by {@link vaec.runtime.ops.RepeatEachRow} where
   * the draws join it ({@link #apply}). The copy's noise draws the values of this graph's noise
   * ({@link Node#noiseKey}), and its ops are this graph's, so on repeated rows it computes what this
   * graph computes. Itself for k = 1 and for a graph without inputs; a graph that already has row
   * groups or linked inputs is refused.
   */
  public Graph sharedOver(int k) {
    if (k < 1) throw new IllegalArgumentException("rows per example " + k);
    if (k == 1 || inputsByName.isEmpty()) return this;
    if (!linkedInputs.isEmpty()) throw new IllegalStateException("a graph with linked inputs is not copied");
    Graph out = new Graph();
    Map<Node, Node> map = new java.util.HashMap<>();
    for (Node n : nodes) {
      if (n.rowGroup() != 1) throw new IllegalStateException("the graph already runs " + n + " once per group of rows");
      out.setRows(Math.max(1, n.kind() == Node.Kind.OP ? n.inputRows() : n.rows()));
      Node c = switch (n.kind()) {
        case INPUT -> out.apply(new vaec.runtime.ops.FirstOfGroup(k), n.origin(), out.input(n.name(), n.width()));
        case NOISE, PARAM, CONSTANT -> out.copyLeaf(n);
        case OP -> out.apply(n.op(), n.origin(), n.inputs().stream().map(map::get).toArray(Node[]::new));
      };
      if (c.rows() != n.rows()) throw new IllegalStateException(n + " has " + n.rows() + " rows per example, its copy " + c.rows());
      map.put(n, c);
    }
    out.setRows(rows);
    for (var e : outputs.entrySet()) out.output(e.getKey(), map.get(e.getValue()));
    if (loss != null) out.setLoss(map.get(loss));
    return out;
  }

  /** Parameters and constants fit any row count (an op's constant input is read at its rows). */
  private static boolean rowFree(Node n) { return n.kind() == Node.Kind.PARAM || n.kind() == Node.Kind.CONSTANT; }

  private final Map<Node, Node> expanded = new java.util.HashMap<>();

  /** {@code n} at a row per batch row: itself, the input a {@link vaec.runtime.ops.FirstOfGroup} read, or its repetition. */
  public Node expanded(Node n) {
    if (n.rowGroup() == 1) return n;
    if (n.op() instanceof vaec.runtime.ops.FirstOfGroup) return n.input(0);
    return expanded.computeIfAbsent(n, x -> apply(new vaec.runtime.ops.RepeatEachRow(x.rowGroup()), x.origin(), x));
  }

  /** Records that {@code repeated} widens {@code n} (a copy's {@link vaec.runtime.ops.RepeatEachRow}), so {@link #expanded} reuses it. */
  void noteExpanded(Node n, Node repeated) { expanded.putIfAbsent(n, repeated); }

  private Node add(Node.Kind kind, String name, Op op, List<Node> in, int width, long[] shape, double c,
                   NoiseKind noise, SourceRef origin) {
    for (Node i : in) {
      if (i.id() >= nodes.size() || nodes.get(i.id()) != i) {
        throw new IllegalArgumentException("input " + i + " belongs to another graph");
      }
    }
    int inRows = kind == Node.Kind.PARAM || kind == Node.Kind.CONSTANT ? 0 : kind == Node.Kind.OP ? inputRows(op, in) : rows;
    int r = kind == Node.Kind.OP ? op.outputRows(inRows) : inRows;
    Node n = new Node(nodes.size(), kind, name, op, in, width, shape, c, noise, origin, r, inRows);
    nodes.add(n);
    return n;
  }

  /** The rows per example that every stacked input of an op shares (the current setting when none is stacked). */
  private int inputRows(Op op, List<Node> in) {
    int r = 0;
    for (Node i : in) {
      if (i.broadcast()) continue;
      if (r != 0 && i.rows() != r) {
        throw new IllegalArgumentException(op.describe() + " reads values with " + r + " and " + i.rows() + " rows per example");
      }
      r = i.rows();
    }
    return r == 0 ? rows : r;
  }

  /** A named output, at a row per batch row (see {@link #apply}), never stacked. */
  public void output(String name, Node n) {
    Node e = expanded(n);
    if (e.rows() > 1) throw new IllegalArgumentException("output " + name + " has " + e.rows() + " rows per example, not one");
    outputs.put(name, e);
  }

  /**
   * An input of this graph, labelled {@code label} for display, that the runtime fills from the
   * linked node of another graph (see {@link Link}); it is not among {@link #inputs()}.
   */
  public Node linkedInput(String label, Link source) {
    Node n = add(Node.Kind.INPUT, label, null, List.of(), source.node().width(), null, 0, null, SourceRef.NONE);
    linkedInputs.add(new LinkedInput(n, source));
    return n;
  }

  public List<LinkedInput> linkedInputs() { return Collections.unmodifiableList(linkedInputs); }

  /** The per-example (batch x 1) quantity that training minimizes, averaged over the batch. */
  public void setLoss(Node perExampleLoss) {
    if (perExampleLoss.width() != 1) throw new IllegalArgumentException("loss must be batch x 1");
    Node e = expanded(perExampleLoss);
    if (e.rows() != 1) throw new IllegalArgumentException("loss must have one row per example, not " + e.rows());
    this.loss = e;
  }

  public Node loss() { return loss; }
  public List<Node> nodes() { return Collections.unmodifiableList(nodes); }
  public Map<String, Node> outputs() { return Collections.unmodifiableMap(outputs); }
  public Node output(String name) {
    Node n = outputs.get(name);
    if (n == null) throw new IllegalArgumentException("no output " + name + " in " + outputs.keySet());
    return n;
  }
  public Map<String, Node> params() { return Collections.unmodifiableMap(params); }
  public Map<String, Node> inputs() { return inputsView; }

  /** A view made once (it follows the map): a new view per call was heap garbage on every training step. */
  private final Map<String, Node> inputsView = Collections.unmodifiableMap(inputsByName);

  /** Consumers of every node, indexed by node id. */
  public List<List<Node>> consumers() {
    List<List<Node>> c = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) c.add(new ArrayList<>());
    for (Node n : nodes) for (Node i : n.inputs()) c.get(i.id()).add(n);
    return c;
  }
  /** A copy in this graph of a noise, parameter or constant node of another graph; a noise node keeps its key, so it draws the same values. */
  Node copyLeaf(Node n) {
    return switch (n.kind()) {
      case NOISE -> {
        Node z = noise(n.name(), n.noiseKind(), n.width());
        z.setNoiseKey(n.noiseKey());
        yield z;
      }
      case PARAM -> param(n.name(), n.paramShape());
      case CONSTANT -> n.schedule() != null ? scheduledConstant(n.schedule(), n.width())
          : n.constantRow() != null ? constantRow(n.constantRow()) : constant(n.constant(), n.width());
      case INPUT, OP -> throw new IllegalArgumentException(n + " is not a noise, parameter or constant node");
    };
  }
}
