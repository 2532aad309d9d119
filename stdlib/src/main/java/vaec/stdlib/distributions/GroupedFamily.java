package vaec.stdlib.distributions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Slice;

/**
 * Independent groups of a one-hot family: {@code latent z : onehot[20, 10]} is 20 categoricals of
 * 10 classes, one value of width 200. Each group is a column slice (a free view), the inner
 * family's ops run per group, draws are joined side by side and log-densities added.
 *
 * <p>This costs a few ops per group; grouped kernels that treat all groups in one op are the
 * faster follow-up once profiles ask for them.
 */
public final class GroupedFamily extends DistributionFamily {
  private final DistributionFamily inner;
  private final int groupSize;

  public GroupedFamily(DistributionFamily inner, int groupSize) {
    if (groupSize < 2) throw new IllegalArgumentException("group size must be at least 2");
    this.inner = inner;
    this.groupSize = groupSize;
  }

  public DistributionFamily inner() { return inner; }
  public int groupSize() { return groupSize; }

  /** {@code other} grouped like {@code like} (used for a grouped family's relaxation). */
  public static DistributionFamily like(DistributionFamily like, DistributionFamily other) {
    return like instanceof GroupedFamily gf ? new GroupedFamily(other, gf.groupSize) : other;
  }

  @Override public String name() { return inner.name(); }
  @Override public List<List<ParamSpec>> parameterizations() { return inner.parameterizations(); }
  @Override public ValueDomain support() { return inner.support(); }
  @Override public boolean hasPathwiseSampler() { return inner.hasPathwiseSampler(); }
  @Override public boolean isDiscrete() { return inner.isDiscrete(); }
  @Override public ValueDomain drawDomain() { return inner.drawDomain(); }

  /** Already grouped: regrouping with other sizes is not a thing a declaration can ask for. */
  @Override public DistributionFamily grouped(int groupSize, int width) { return this; }

  /** The inner family's relaxation, grouped the same way. */
  @Override
  public java.util.Optional<DistributionFamily> relaxation() {
    return inner.relaxation().map(r -> new GroupedFamily(r, groupSize));
  }

  /** The inner family's hardening, group by group. */
  @Override
  public Node harden(Graph g, SourceRef o, Node soft) { return perGroup(g, o, soft, x -> inner.harden(g, o, x)); }

  @Override
  public double log2SupportSize(int width) {
    return (width / groupSize) * inner.log2SupportSize(groupSize);
  }

  @Override
  public List<double[]> enumerate(int width) {
    List<double[]> values = new ArrayList<>();
    values.add(new double[0]);
    List<double[]> one = inner.enumerate(groupSize);
    for (int gi = 0; gi < width / groupSize; gi++) {
      List<double[]> next = new ArrayList<>();
      for (double[] prefix : values) {
        for (double[] v : one) {
          double[] row = java.util.Arrays.copyOf(prefix, prefix.length + groupSize);
          System.arraycopy(v, 0, row, prefix.length, groupSize);
          next.add(row);
        }
      }
      values = next;
    }
    return values;
  }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    Node total = null;
    for (int gi = 0; gi < value.width() / groupSize; gi++) {
      Node lp = inner.logProb(g, o, slice(g, o, value, gi), sliceArgs(g, o, a, gi));
      total = total == null ? lp : g.apply(new Binary(Binary.Kind.ADD), o, total, lp);
    }
    return total;
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    List<Node> parts = new ArrayList<>();
    for (int gi = 0; gi < width / groupSize; gi++) parts.add(inner.rsample(g, o, sliceArgs(g, o, a, gi), groupSize, site + "_" + gi));
    return g.apply(new Concat(), o, parts.toArray(new Node[0]));
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    List<Node> parts = new ArrayList<>();
    for (int gi = 0; gi < width / groupSize; gi++) parts.add(inner.sample(g, o, sliceArgs(g, o, a, gi), groupSize, site + "_" + gi));
    return g.apply(new Concat(), o, parts.toArray(new Node[0]));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    Node any = a.values().iterator().next();
    List<Node> parts = new ArrayList<>();
    for (int gi = 0; gi < any.width() / groupSize; gi++) parts.add(inner.mean(g, o, sliceArgs(g, o, a, gi)));
    return g.apply(new Concat(), o, parts.toArray(new Node[0]));
  }

  /** f applied to each group's columns of {@code value}, joined again. */
  public Node perGroup(Graph g, SourceRef o, Node value, UnaryOperator<Node> f) {
    List<Node> parts = new ArrayList<>();
    for (int gi = 0; gi < value.width() / groupSize; gi++) parts.add(f.apply(slice(g, o, value, gi)));
    return g.apply(new Concat(), o, parts.toArray(new Node[0]));
  }

  private Node slice(Graph g, SourceRef o, Node x, int gi) {
    return g.apply(new Slice(gi * groupSize, (gi + 1) * groupSize), o, x);
  }

  private Map<String, Node> sliceArgs(Graph g, SourceRef o, Map<String, Node> a, int gi) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (var e : a.entrySet()) {
      Node n = e.getValue();
      // Constants (a temperature, uniform logits) are the same for every group.
      boolean plain = n.kind() == Node.Kind.CONSTANT && n.constantRow() == null;
      out.put(e.getKey(), !plain ? slice(g, o, n, gi)
          : n.schedule() != null ? g.scheduledConstant(n.schedule(), groupSize) : g.constant(n.constant(), groupSize));
    }
    return out;
  }
}
