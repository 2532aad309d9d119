package vaec.runtime.exec;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.rng.NoiseSource;

/**
 * Runs one graph at one batch size on ND4J: forward, and reverse-mode differentiation of the
 * graph's loss into the parameter store's flat gradient.
 *
 * <p>Everything is planned when the executor is built: a value buffer per node (views for slices
 * and parameters), a gradient buffer per node that needs one, each op's scratch buffers, and for
 * every edge whether its gradient contribution overwrites or adds (the first contribution in
 * backward order overwrites, so no buffer is zeroed per step except those written in parts). A
 * step then runs only the ops themselves and allocates nothing of its own.
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
  private final INDArray[][] inGrads;
  private final boolean[][] accumulate;
  private final boolean[] needsGrad;
  private final List<INDArray> zeroBeforeBackward = new ArrayList<>();
  private final List<INDArray> unreachedParamGrads = new ArrayList<>();
  private final Node loss;
  private final boolean ownsParamGradients;

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
    accumulate = new boolean[n][];
    needsGrad = new boolean[n];

    for (Node node : nodes) {
      int i = node.id();
      switch (node.kind()) {
        case PARAM -> value[i] = params.value(node.name());
        case CONSTANT -> {
          double[] row = node.constantRow();
          value[i] = row == null ? Nd4j.valueArrayOf(new long[] {batch, node.width()}, node.constant(), dtype)
              : Nd4j.createFromArray(row).castTo(dtype).reshape(1, row.length).repeat(0, batch).reshape(batch, row.length);
        }
        case INPUT, NOISE -> value[i] = Nd4j.create(dtype, batch, node.width());
        case OP -> {
          Op op = node.op();
          if (op.aliasesInput()) value[i] = aliasView(node, value[node.input(0).id()]);
          else value[i] = Nd4j.create(dtype, batch, node.width());
          int[] sw = op.scratchWidths(node.inputs());
          scratch[i] = new INDArray[sw.length];
          for (int k = 0; k < sw.length; k++) scratch[i][k] = Nd4j.create(dtype, batch, sw[k]);
          op.initScratch(scratch[i]);
        }
      }
      inValues[i] = new INDArray[node.inputs().size()];
      for (int k = 0; k < inValues[i].length; k++) inValues[i][k] = value[node.input(k).id()];
    }
    if (loss != null) planBackward(params);
  }

  private static INDArray aliasView(Node node, INDArray in) {
    if (node.op() instanceof vaec.runtime.ops.Slice s) {
      return in.get(NDArrayIndex.all(), NDArrayIndex.interval(s.from(), s.to()));
    }
    return in;
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
    for (int i = 0; i < n; i++) needsGrad[i] = fromParam[i] && toLoss[i];
    if (!needsGrad[loss.id()]) throw new IllegalStateException("the loss does not depend on any parameter");

    // Gradient buffers: parameters write into the store's flat gradient; slices into a view of
    // their input's gradient, which is then zeroed each step because slices fill it in parts.
    boolean[] zeroFirst = new boolean[n];
    for (Node node : nodes) {
      int i = node.id();
      if (!needsGrad[i]) continue;
      if (node.isParam()) grad[i] = params.grad(node.name());
      else if (node.kind() == Node.Kind.OP && node.op().aliasesInput()) {
        Node parent = node.input(0);
        grad[i] = aliasView(node, grad[parent.id()]);
        if (!zeroFirst[parent.id()] && !isAliasOfZeroed(parent, zeroFirst)) {
          zeroBeforeBackward.add(grad[parent.id()]);
        }
        zeroFirst[parent.id()] = true;
        zeroFirst[i] = true;
      } else grad[i] = Nd4j.create(dtype, batch, node.width());
    }
    // The loss is averaged over the batch: its gradient is the constant 1/batch, set once.
    grad[loss.id()].assign(1.0 / batch);

    boolean[] written = new boolean[n];
    for (int i = n - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      if (!needsGrad[i] || node.kind() != Node.Kind.OP) continue;
      int k = node.inputs().size();
      accumulate[i] = new boolean[k];
      inGrads[i] = new INDArray[k];
      for (int e = 0; e < k; e++) {
        int in = node.input(e).id();
        if (!needsGrad[in]) continue;
        inGrads[i][e] = grad[in];
        accumulate[i][e] = written[in] || zeroFirst[in];
        written[in] = true;
      }
    }
    for (Node p : graph.params().values()) {
      if (!needsGrad[p.id()] && ownsParamGradients) unreachedParamGrads.add(params.grad(p.name()));
    }
  }

  private boolean isAliasOfZeroed(Node node, boolean[] zeroFirst) {
    return node.kind() == Node.Kind.OP && node.op().aliasesInput() && zeroFirst[node.id()];
  }

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
    for (Node n : nodes) {
      if (n.kind() == Node.Kind.NOISE) noise.fill(value[n.id()], n.noiseKind(), step, n.id());
      else if (n.kind() == Node.Kind.OP) n.op().beginStep(step);
    }
  }

  public void forward() { forward(null); }

  /** Forward, adding each node's time in nanoseconds to {@code nanos[node id]} when not null. */
  public void forward(long[] nanos) {
    for (Node node : nodes) {
      if (node.kind() != Node.Kind.OP || node.op().aliasesInput()) continue;
      int i = node.id();
      long t = nanos == null ? 0 : System.nanoTime();
      node.op().forward(inValues[i], value[i], scratch[i]);
      if (nanos != null) nanos[i] += System.nanoTime() - t;
    }
  }

  /** Gradients of the mean loss into the parameter store's flat gradient vector. */
  public void backward() { backward(null); }

  /** Backward, adding each node's time in nanoseconds to {@code nanos[node id]} when not null. */
  public void backward(long[] nanos) {
    if (loss == null) throw new IllegalStateException("graph has no loss");
    for (INDArray z : zeroBeforeBackward) z.assign(0);
    for (INDArray z : unreachedParamGrads) z.assign(0);
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node node = nodes.get(i);
      if (!needsGrad[i] || node.kind() != Node.Kind.OP || !node.op().differentiable()) continue;
      long t = nanos == null ? 0 : System.nanoTime();
      node.op().backward(inValues[i], value[i], grad[i], inGrads[i], accumulate[i], scratch[i]);
      if (nanos != null) nanos[i] += System.nanoTime() - t;
    }
    for (Node node : nodes) {
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
