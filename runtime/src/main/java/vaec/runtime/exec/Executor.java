package vaec.runtime.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Gemm;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.rng.NoiseSource;

/**
 * Runs one graph at one batch size on ND4J: forward, and reverse-mode differentiation of the
 * graph's loss into the parameter store's flat gradient.
 *
 * <p>Everything is planned when the executor is built: a value buffer per node (views for slices
 * and parameters), a gradient buffer per node that needs one, each op's scratch buffers, and the
 * buffer each op's backward pass writes every input's gradient into. Ops only ever overwrite the
 * buffer they are handed (see {@link Op#backward}); whether a gradient is written or accumulated
 * is decided here, once, per edge of the graph. A step then runs only the ops themselves, plus an
 * add per accumulated edge, and allocates nothing of its own.
 *
 * <h2>Written or accumulated</h2>
 * A node's gradient is the sum of one contribution per edge that leaves it (a consumer's input
 * slot). Walking the ops in backward order, the first contribution to a stretch of columns is
 * written straight into the gradient; every later one that overlaps columns already written goes
 * into a buffer of the executor's (from a pool shared by all ops, sized to the most any one op
 * needs at once), which the executor adds into the gradient right after that op's backward pass.
 * Column ranges matter because of views: a slice's gradient is a view of its input's gradient
 * (slices cost nothing in either pass), so disjoint slices of one value each write their columns
 * directly, and the value's gradient is zeroed before backward only where some column would
 * otherwise be read unwritten (columns no slice covers, or added into before anything wrote
 * them). Ops that write only part of an input's gradient ({@link Op#writesPartialGradient}) are
 * handed a buffer zeroed just before their backward pass, and count as accumulating.
 */
public final class Executor {
  private final Graph graph;
  private final int batch;
  private final DataType dtype;
  private final List<Node> nodes;
  private final INDArray[] value;
  private final INDArray[] grad;
  private final INDArray[][] scratch;
  private final INDArray[][] inValues;
  /** Per op, per input: the buffer its backward pass overwrites with that input's gradient, or null. */
  private final INDArray[][] inGrads;
  /** Per op, per input: whether the op adds that input's gradient into {@link #inGrads} itself (null: none does). */
  private final boolean[][] accumulateInto;
  /** Per op: buffers to zero just before its backward pass (partial writers), or null. */
  private final INDArray[][] zeroBeforeOp;
  /** Per op: gradients to add the matching {@link #addFrom} buffers into after its backward pass, or null. */
  private final INDArray[][] addInto;
  private final INDArray[][] addFrom;
  /** The ops whose backward pass runs: differentiable, not a view, and on a path from a parameter to the loss. */
  private final Op[] backwardOps;
  private final List<INDArray> zeroBeforeBackward = new ArrayList<>();
  private final List<INDArray> unreachedParamGrads = new ArrayList<>();
  private final Node loss;
  private final boolean ownsParamGradients;
  /** Whether the loss's constant gradient must be set every step (it is a view into a gradient that is zeroed). */
  private boolean reseedLoss;
  private int accumulatedEdges;
  /** The buffers this executor allocated (not the store's parameters or gradients, not views), freed by {@link #close}. */
  private final List<INDArray> owned = new ArrayList<>();
  /** Each constant's buffers by rows per example (a constant read by stacked values has one per height). */
  private final Map<Integer, Map<Integer, INDArray>> constants = new HashMap<>();
  private boolean closed;

  private INDArray own(INDArray a) {
    owned.add(a);
    return a;
  }

  public Executor(Graph graph, int batch, ParameterStore params) {
    this(graph, batch, params, true);
  }

  /**
   * With {@code ownsParamGradients} false, backward writes only the gradients of the parameters
   * its loss reaches and leaves every other parameter's gradient as another executor left it: how
   * a companion graph (a control variate's variance objective) adds its parameters' gradients to
   * those of the training graph in the same store.
   */
  public Executor(Graph graph, int batch, ParameterStore params, boolean ownsParamGradients) {
    this.ownsParamGradients = ownsParamGradients;
    this.graph = graph;
    this.batch = batch;
    this.dtype = params.dtype();
    this.nodes = graph.nodes();
    this.loss = graph.loss();
    int n = nodes.size();
    value = new INDArray[n];
    grad = new INDArray[n];
    scratch = new INDArray[n][];
    inValues = new INDArray[n][];
    inGrads = new INDArray[n][];
    zeroBeforeOp = new INDArray[n][];
    addInto = new INDArray[n][];
    addFrom = new INDArray[n][];
    accumulateInto = new boolean[n][];
    backwardOps = new Op[n];

    for (Node node : nodes) {
      int i = node.id();
      switch (node.kind()) {
        case PARAM -> value[i] = params.value(node.name());
        case CONSTANT -> value[i] = constant(node, 1);
        case INPUT, NOISE -> value[i] = own(Nd4j.create(dtype, rows(node), node.width()));
        case OP -> {
          Op op = node.op();
          long rows = rows(node);
          if (op.aliasesInput()) value[i] = aliasView(node, value[node.input(0).id()]);
          else value[i] = own(Nd4j.create(dtype, rows, node.width()));
          int[] sw = op.scratchWidths(node.inputs());
          scratch[i] = new INDArray[sw.length];
          for (int k = 0; k < sw.length; k++) scratch[i][k] = own(Nd4j.create(dtype, rows, sw[k]));
          op.initScratch(scratch[i]);
        }
      }
      inValues[i] = new INDArray[node.inputs().size()];
      for (int k = 0; k < inValues[i].length; k++) {
        Node in = node.input(k);
        // A constant fits any rows: a value stacked along the rows reads a copy of its height, and
        // an op at one row per example its first rows (a view; a schedule's updates show).
        INDArray v = in.kind() == Node.Kind.CONSTANT && node.inputRows() > 1 ? constant(in, node.inputRows()) : value[in.id()];
        if (in.kind() == Node.Kind.CONSTANT && node.rowGroup() > 1) v = v.get(NDArrayIndex.interval(0, v.rows() / node.rowGroup()), NDArrayIndex.all());
        inValues[i][k] = v;
      }
    }
    if (loss != null) planBackward(params);
  }

  /**
   * Buffer rows of a node: the batch times its rows per example ({@link Node#rows}, the stacked
   * branches of an enumerated latent), divided by its row group ({@link Node#rowGroup}: a value
   * computed once per example where an objective repeats each example over k rows).
   */
  private long rows(Node node) {
    long stacked = (long) batch * Math.max(1, node.rows());
    int k = node.rowGroup();
    if (stacked % k != 0) {
      throw new IllegalArgumentException("a batch of " + batch + " rows is not whole groups of " + k + " samples per example");
    }
    return stacked / k;
  }

  /** A constant's buffer of {@code perExample} rows per example, made once per height. */
  private INDArray constant(Node node, int perExample) {
    Map<Integer, INDArray> heights = constants.computeIfAbsent(node.id(), k -> new HashMap<>());
    return heights.computeIfAbsent(perExample, r -> {
      long n = (long) batch * r;
      double[] row = node.constantRow();
      return own(row == null ? Nd4j.valueArrayOf(new long[] {n, node.width()}, node.constant(), dtype)
          : Nd4j.createFromArray(row).castTo(dtype).reshape(1, row.length).repeat(0, n).reshape(n, row.length).dup('c'));
    });
  }

  private static INDArray aliasView(Node node, INDArray in) {
    if (node.op() instanceof vaec.runtime.ops.Slice s) {
      return in.get(NDArrayIndex.all(), NDArrayIndex.interval(s.from(), s.to()));
    }
    return in;
  }

  private static boolean isView(Node node) {
    return node.kind() == Node.Kind.OP && node.op().aliasesInput();
  }

  private void planBackward(ParameterStore params) {
    int n = nodes.size();
    // A node needs a gradient when it depends on a parameter and the loss depends on it
    // through differentiable ops.
    boolean[] fromParam = new boolean[n];
    for (Node node : nodes) {
      boolean f = node.isParam();
      if (node.kind() == Node.Kind.OP && node.op().differentiable()) {
        for (Node in : node.inputs()) f |= fromParam[in.id()];
      }
      fromParam[node.id()] = f;
    }
    boolean[] toLoss = new boolean[n];
    toLoss[loss.id()] = true;
    for (int i = n - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      if (!toLoss[i] || node.kind() != Node.Kind.OP || !node.op().differentiable()) continue;
      for (Node in : node.inputs()) toLoss[in.id()] = true;
    }
    boolean[] needsGrad = new boolean[n];
    for (int i = 0; i < n; i++) needsGrad[i] = fromParam[i] && toLoss[i];
    if (!needsGrad[loss.id()]) throw new IllegalStateException("the loss does not depend on any parameter");

    // Gradient buffers: parameters write into the store's flat gradient, views (slices) into the
    // same view of their input's gradient. Each gradient covers columns [lo, hi) of the gradient
    // of its base, the node at the root of its chain of views.
    int[] base = new int[n];
    int[] lo = new int[n];
    int[] hi = new int[n];
    for (Node node : nodes) {
      int i = node.id();
      if (!needsGrad[i]) continue;
      if (node.isParam()) grad[i] = params.grad(node.name());
      else if (isView(node)) grad[i] = aliasView(node, grad[node.input(0).id()]);
      else grad[i] = own(Nd4j.create(dtype, rows(node), node.width()));
      if (isView(node)) {
        int p = node.input(0).id();
        base[i] = base[p];
        lo[i] = lo[p] + (node.op() instanceof vaec.runtime.ops.Slice s ? s.from() : 0);
        hi[i] = lo[i] + node.width();
      } else {
        base[i] = i;
        lo[i] = 0;
        hi[i] = node.width();
      }
    }

    // Which columns of each base's gradient hold a contribution so far (in backward order), and
    // which must be zero before backward because something adds into them before any write.
    boolean[][] written = new boolean[n][];
    boolean[][] zeroed = new boolean[n][];
    for (int i = 0; i < n; i++) {
      if (needsGrad[i] && base[i] == i) {
        written[i] = new boolean[nodes.get(i).width()];
        zeroed[i] = new boolean[nodes.get(i).width()];
      }
    }
    // The loss is averaged over the batch: its gradient is the constant 1/batch, its first contribution.
    java.util.Arrays.fill(written[base[loss.id()]], lo[loss.id()], hi[loss.id()], true);

    Map<String, List<INDArray>> pool = new HashMap<>();
    for (int i = n - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      if (!needsGrad[i] || node.kind() != Node.Kind.OP || !node.op().differentiable() || isView(node)) continue;
      Op op = node.op();
      backwardOps[i] = op;
      int k = node.inputs().size();
      inGrads[i] = new INDArray[k];
      List<INDArray> zeroHere = new ArrayList<>();
      List<INDArray> into = new ArrayList<>();
      List<INDArray> from = new ArrayList<>();
      Map<String, Integer> taken = new HashMap<>();
      for (int e = 0; e < k; e++) {
        int in = node.input(e).id();
        if (!needsGrad[in]) continue;
        boolean[] w = written[base[in]];
        boolean any = false;
        for (int c = lo[in]; c < hi[in]; c++) any |= w[c];
        if (!any) {
          inGrads[i][e] = grad[in];                    // the first contribution: written in place
          if (op.writesPartialGradient(e)) zeroHere.add(grad[in]);
        } else if (op.accumulatesGradient(e) && !op.writesPartialGradient(e) && feedsOnce(node, e)) {
          // A later contribution the op adds itself (a gemm with beta = 1): no buffer, no add.
          for (int c = lo[in]; c < hi[in]; c++) if (!w[c]) zeroed[base[in]][c] = true;
          inGrads[i][e] = grad[in];
          if (accumulateInto[i] == null) accumulateInto[i] = new boolean[k];
          accumulateInto[i][e] = true;
          accumulatedEdges++;
        } else {
          for (int c = lo[in]; c < hi[in]; c++) if (!w[c]) zeroed[base[in]][c] = true;
          INDArray buffer = pooled(pool, taken, grad[in]);
          inGrads[i][e] = buffer;                      // a later one: added in after the op
          if (op.writesPartialGradient(e)) zeroHere.add(buffer);
          into.add(grad[in]);
          from.add(buffer);
          accumulatedEdges++;
        }
        java.util.Arrays.fill(w, lo[in], hi[in], true);
      }
      if (!zeroHere.isEmpty()) zeroBeforeOp[i] = zeroHere.toArray(new INDArray[0]);
      if (!into.isEmpty()) {
        addInto[i] = into.toArray(new INDArray[0]);
        addFrom[i] = from.toArray(new INDArray[0]);
      }
    }
    for (int b = 0; b < n; b++) {
      if (written[b] == null) continue;
      boolean zero = false;
      for (int c = 0; c < written[b].length; c++) zero |= zeroed[b][c] || !written[b][c];
      if (zero) {
        zeroBeforeBackward.add(grad[b]);
        if (base[loss.id()] == b) reseedLoss = true;
      }
    }
    grad[loss.id()].assign(1.0 / batch);
    for (Node p : graph.params().values()) {
      if (!needsGrad[p.id()] && ownsParamGradients) unreachedParamGrads.add(params.grad(p.name()));
    }
  }

  /** Whether input {@code e} of {@code node} is a node that feeds no other input of it. */
  private static boolean feedsOnce(Node node, int e) {
    for (int j = 0; j < node.inputs().size(); j++) if (j != e && node.input(j) == node.input(e)) return false;
    return true;
  }

  /**
   * A buffer of {@code target}'s shape from the pool, distinct from those already taken by the
   * same op ({@code taken} counts them per shape); the pool grows only when one op needs more.
   */
  private INDArray pooled(Map<String, List<INDArray>> pool, Map<String, Integer> taken, INDArray target) {
    String key = java.util.Arrays.toString(target.shape());
    List<INDArray> free = pool.computeIfAbsent(key, x -> new ArrayList<>());
    int k = taken.merge(key, 1, Integer::sum) - 1;
    if (k == free.size()) free.add(own(Nd4j.create(dtype, target.shape())));
    return free.get(k);
  }

  /**
   * Frees this executor's own native buffers now, rather than when the garbage collector gets to
   * them: evaluation makes executors for thousands of rows, and keeping the ones it no longer needs
   * would hold hundreds of MiB. The parameter store is left alone. The executor is unusable after.
   */
  public void close() {
    if (closed) return;
    closed = true;
    for (INDArray a : owned) {
      if (a.closeable()) a.close();
    }
    owned.clear();
  }

  /** Whether {@link #close} has been called. */
  public boolean isClosed() { return closed; }

  /** The bytes of the buffers this executor allocated (values, gradients, scratch), for memory reports and tests. */
  public long ownedBytes() {
    long b = 0;
    for (INDArray a : owned) b += a.length() * a.dataType().width();
    return b;
  }

  /** How many edges add their gradient into one already written (for tests of the plan). */
  int accumulatedEdges() { return accumulatedEdges; }

  /** How many gradient buffers are zeroed at the start of every backward pass (for tests of the plan). */
  int gradientsZeroedPerStep() { return zeroBeforeBackward.size(); }

  public Graph graph() { return graph; }
  public int batch() { return batch; }
  public DataType dtype() { return dtype; }

  /** The buffer of an input node; callers fill it before {@link #forward}. */
  public INDArray input(String name) {
    Node n = graph.inputs().get(name);
    if (n == null) throw new IllegalArgumentException("no input " + name);
    return value[n.id()];
  }

  public INDArray value(Node n) { return value[n.id()]; }
  public INDArray value(String output) { return value[graph.output(output).id()]; }
  public INDArray gradient(Node n) { return grad[n.id()]; }

  /** Draws this step's noise for every noise node. */
  public void drawNoise(NoiseSource noise, long step) {
    for (int k = 0, nk = nodes.size(); k < nk; k++) { Node n = nodes.get(k);   // indexed: a list iterator per step was heap garbage
      if (n.kind() == Node.Kind.NOISE) noise.fill(value[n.id()], n.noiseKind(), step, n.noiseKey());
      else if (n.kind() == Node.Kind.OP) n.op().beginStep(step);
    }
  }

  private boolean deferStateUpdates;

  /**
   * Leaves the stateful ops' updates after backward to the caller (a step that runs its batch as
   * parts updates them once, from every part: {@link vaec.runtime.graph.Op#afterTrainingStepOfParts}).
   */
  public void deferStateUpdates() { deferStateUpdates = true; }

  /** The input values of an op node, as its forward pass read them. */
  public INDArray[] inputs(Node n) { return inValues[n.id()]; }

  /** Tells every op the step ({@link vaec.runtime.graph.Op#beginStep}) without drawing noise. */
  public void beginStep(long step) {
    for (int k = 0; k < nodes.size(); k++) { Node n = nodes.get(k); if (n.kind() == Node.Kind.OP) n.op().beginStep(step); }
  }

  /** Tells every op how many optimizer steps an epoch has ({@link vaec.runtime.graph.Op#beginRun}). */
  public void beginRun(long stepsPerEpoch) {
    for (Node n : nodes) if (n.kind() == Node.Kind.OP) n.op().beginRun(stepsPerEpoch);
  }

  public void forward() { forward(null); }

  /** Forward, adding each node's time (and its gemm time) to {@code profile} when not null. */
  public void forward(StepProfile profile) {
    long[] nanos = profile == null ? null : profile.forwardNanos();
    long[] gemm = profile == null ? null : profile.forwardGemmNanos();
    for (int k = 0, nk = nodes.size(); k < nk; k++) { Node node = nodes.get(k);   // indexed: a list iterator per step was heap garbage
      if (node.kind() != Node.Kind.OP || node.op().aliasesInput()) continue;
      int i = node.id();
      long t = nanos == null ? 0 : System.nanoTime();
      long g = nanos == null ? 0 : Gemm.profiledNanos();
      node.op().forward(inValues[i], value[i], scratch[i]);
      if (nanos != null) {
        nanos[i] += System.nanoTime() - t;
        gemm[i] += Gemm.profiledNanos() - g;
      }
    }
  }

  /** Gradients of the mean loss into the parameter store's flat gradient vector. */
  public void backward() { backward(null); }

  /** Backward, adding each node's time (and its gemm time) to {@code profile} when not null. */
  public void backward(StepProfile profile) {
    if (loss == null) throw new IllegalStateException("graph has no loss");
    long[] nanos = profile == null ? null : profile.backwardNanos();
    long[] gemm = profile == null ? null : profile.backwardGemmNanos();
    long t0 = nanos == null ? 0 : System.nanoTime();
    // Kernels.fill and Kernels.add rather than assign and addi, which make ND4J buffers per call.
    for (int k = 0; k < zeroBeforeBackward.size(); k++) Kernels.fill(zeroBeforeBackward.get(k), 0);
    for (int k = 0; k < unreachedParamGrads.size(); k++) Kernels.fill(unreachedParamGrads.get(k), 0);
    if (reseedLoss) Kernels.fill(grad[loss.id()], 1.0 / batch);
    if (nanos != null) nanos[loss.id()] += System.nanoTime() - t0;   // zeroing, charged to the loss node
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Op op = backwardOps[i];
      if (op == null) continue;
      long t = nanos == null ? 0 : System.nanoTime();
      long g = nanos == null ? 0 : Gemm.profiledNanos();
      INDArray[] zero = zeroBeforeOp[i];
      if (zero != null) for (INDArray z : zero) Kernels.fill(z, 0);
      if (accumulateInto[i] != null) op.backwardAccumulating(inValues[i], value[i], grad[i], inGrads[i], accumulateInto[i], scratch[i]);
      else op.backward(inValues[i], value[i], grad[i], inGrads[i], scratch[i]);
      INDArray[] into = addInto[i];
      if (into != null) {
        INDArray[] from = addFrom[i];
        for (int k = 0; k < into.length; k++) Kernels.add(into[k], from[k], into[k]);
      }
      if (nanos != null) {
        nanos[i] += System.nanoTime() - t;
        gemm[i] += Gemm.profiledNanos() - g;
      }
    }
    if (deferStateUpdates) return;
    for (int k = 0, nk = nodes.size(); k < nk; k++) { Node node = nodes.get(k);   // indexed: a list iterator per step was heap garbage
      if (node.kind() == Node.Kind.OP && node.op().hasState()) node.op().afterTrainingStep(inValues[node.id()], value[node.id()]);
    }
  }

  /** The first node, in evaluation order, whose value holds a NaN or an infinity; null if none. */
  public Node firstNonFiniteValue() {
    for (Node node : nodes) {
      if (!isFinite(value[node.id()])) return node;
    }
    return null;
  }

  /** The first node, in backward order, whose gradient holds a NaN or an infinity; null if none. */
  public Node firstNonFiniteGradient() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      if (grad[i] != null && !isFinite(grad[i])) return nodes.get(i);
    }
    return null;
  }

  static boolean isFinite(INDArray a) {
    double s = a.sumNumber().doubleValue();
    return Double.isFinite(s) || (!Double.isNaN(s) && a.isInfinite().any() == false && a.isNaN().any() == false);
  }
}
