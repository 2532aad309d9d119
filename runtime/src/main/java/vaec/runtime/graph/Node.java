package vaec.runtime.graph;

import java.util.List;

/**
 * One value of a computation graph. Activations are matrices of {@code batch x width}; the batch
 * size is fixed when an executor is built, never by the graph. Parameters keep their own
 * {@code shape}. Nodes are created only through {@link Graph}, which keeps them in topological
 * order.
 */
public final class Node {
  /** What a node is, which decides who writes its value. */
  public enum Kind { INPUT, NOISE, PARAM, CONSTANT, OP }

  private final int id;
  private final Kind kind;
  private final String name;
  private final Op op;
  private final List<Node> inputs;
  private final int width;
  private final long[] paramShape;
  private final double constant;
  private double[] constantRow;
  private Schedule schedule;
  private final NoiseKind noiseKind;
  private final SourceRef origin;
  private final int rows;
  private final int inputRows;
  private int rowGroup = 1;
  private int noiseKey = -1;

  Node(int id, Kind kind, String name, Op op, List<Node> inputs, int width, long[] paramShape,
       double constant, NoiseKind noiseKind, SourceRef origin, int rows, int inputRows) {
    this.id = id;
    this.kind = kind;
    this.name = name;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.width = width;
    this.paramShape = paramShape;
    this.constant = constant;
    this.noiseKind = noiseKind;
    this.origin = origin;
    this.rows = rows;
    this.inputRows = inputRows;
  }

  public int id() { return id; }
  public Kind kind() { return kind; }
  public String name() { return name; }
  public Op op() { return op; }
  public List<Node> inputs() { return inputs; }
  public Node input(int i) { return inputs.get(i); }
  /** Columns per example; for parameters, the last dimension. */
  public int width() { return width; }
  public long[] paramShape() { return paramShape; }
  public double constant() { return constant; }

  /** For a constant with a different value per column (an enumerated one-hot value), the row; else null. */
  public double[] constantRow() { return constantRow == null ? null : constantRow.clone(); }

  void setConstantRow(double[] row) { this.constantRow = row.clone(); }

  /** For a constant that follows a schedule (an annealed temperature), the schedule; else null. */
  public Schedule schedule() { return schedule; }

  void setSchedule(Schedule s) { this.schedule = s; }
  /**
   * 1 for a value with a row per batch row; k for a value computed once per example where an
   * objective repeats every example over k consecutive rows (the executor gives it batch / k rows;
   * see {@link Graph#apply}). Parameters and constants are 1 and fit either.
   */
  public int rowGroup() { return rowGroup; }

  void setRowGroup(int k) { this.rowGroup = k; }

  public NoiseKind noiseKind() { return noiseKind; }

  /**
   * For noise, the key of its draws in a {@link vaec.runtime.rng.NoiseSource} stream: its id, or
   * in a copy made by {@link Graph#sharedOver}, the id of the original's node, so that the copy
   * draws the same values.
   */
  public int noiseKey() { return noiseKey < 0 ? id : noiseKey; }

  void setNoiseKey(int key) { this.noiseKey = key; }
  public SourceRef origin() { return origin; }
  public boolean isParam() { return kind == Kind.PARAM; }

  /**
   * Rows per example of the batch: 1 for most values; k for a value stacked k times along the rows
   * (the branches of an enumerated latent, one block of batch rows per value, see
   * {@link vaec.runtime.ops.RepeatRows}). 0 for parameters and constants, which fit any rows.
   */
  public int rows() { return rows; }

  /** For an op, the rows per example of its inputs (a constant input is read at this height); else {@link #rows}. */
  public int inputRows() { return inputRows; }

  /** Whether the value is the same for every row (a constant) or has no rows at all (a parameter). */
  public boolean broadcast() { return kind == Kind.PARAM || kind == Kind.CONSTANT; }

  /** A short label for text and DOT output. */
  public String label() {
    return switch (kind) {
      case INPUT -> "input " + name;
      case NOISE -> "noise " + name + " ~ " + noiseKind;
      case PARAM -> "param " + name + shapeText(paramShape);
      case CONSTANT -> constantRow == null ? "const " + constant : "const " + java.util.Arrays.toString(constantRow);
      case OP -> op.describe();
    };
  }

  static String shapeText(long[] s) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "x").append(s[i]);
    return b.append(']').toString();
  }

  @Override
  public String toString() {
    return "%" + id + " " + label();
  }
}
