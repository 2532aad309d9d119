package vaec.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.Unary;

/**
 * The executor's side of the backward pass: which contributions to a gradient are written in
 * place and which are added, for values with several consumers, partial writers and views. Each
 * case is checked against central finite differences in float64 (tolerance 1e-6 + 1e-5 |numeric|
 * with step 1e-6, as in {@link GradientCheckTest}) after a first training step at other
 * parameter values, so that a gradient or pooled buffer left dirty by that step, and not written
 * or zeroed again, shows as a wrong gradient.
 */
class GradientAccumulationTest {
  static final int BATCH = 3;
  static final int W = 4;

  /**
   * A test op whose backward pass writes only part of its input's gradient: y = 2 x[:, :k] (a
   * copy, not a view), so it writes columns [0, k) of the input's gradient and leaves the rest.
   */
  static final class LeadingColumnsTwice implements Op {
    private final int k;

    LeadingColumnsTwice(int k) { this.k = k; }

    @Override public int outputWidth(List<Node> in) { return k; }

    @Override
    public void forward(INDArray[] in, INDArray out, INDArray[] s) {
      in[0].get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).mul(2.0, out);
    }

    @Override
    public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
      if (gIn[0] != null) g.mul(2.0, gIn[0].get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)));
    }

    @Override public boolean writesPartialGradient(int input) { return true; }
    @Override public String describe() { return "leading_columns_twice(" + k + ")"; }
  }

  static Node apply(Graph g, Op op, Node... in) { return g.apply(op, SourceRef.NONE, in); }

  static Node add(Graph g, Node a, Node b) { return apply(g, new Binary(Binary.Kind.ADD), a, b); }

  /** The value every case differentiates: x itself, or a column slice of a wider parameter. */
  static Node x(Graph g, boolean throughSlice) {
    return throughSlice ? apply(g, new Slice(1, 1 + W), g.param("x", BATCH, W + 2)) : g.param("x", BATCH, W);
  }

  @ParameterizedTest(name = "x through a slice: {0}")
  @ValueSource(booleans = {false, true})
  void oneValueFeedsThreeConsumers(boolean throughSlice) {
    Executor ex = check((g, unused) -> {
      Node x = x(g, throughSlice);
      Node e = apply(g, new Unary(Unary.Fn.EXP), x);
      Node d = apply(g, new Dense(Activation.TANH), x, g.param("W", W, W), g.param("b", W));
      Node m = apply(g, new Binary(Binary.Kind.MUL), x, g.param("y", BATCH, W));
      return add(g, add(g, e, d), m);
    });
    // Three contributions to x's gradient: the first is written in place, the other two added.
    assertEquals(2, ex.accumulatedEdges());
  }

  /** A partial writer (P) and full writers (A, B) of one value x, in both backward orders. */
  @ParameterizedTest(name = "partial writer runs first in backward order: {0}")
  @ValueSource(booleans = {false, true})
  void partialAndFullGradientsFeedTheSameValue(boolean partialFirst) {
    Executor ex = check((g, unused) -> {
      Node x = x(g, false);
      if (partialFirst) {
        // Backward order P, B, A: P writes x's gradient in place, so the executor zeroes it first
        // (the previous step left it full); B and A are added.
        Node a = apply(g, new Unary(Unary.Fn.SQUARE), x);
        Node b = apply(g, new Affine(-1.5, 0.0), x);
        Node p = apply(g, new LeadingColumnsTwice(2), x);
        return add(g, apply(g, new RowSum(), add(g, a, b)), apply(g, new RowSum(), p));
      }
      // Backward order A, B, P: A writes in place; B and then P use the same pooled buffer, which
      // B leaves full, so the executor must zero it for P.
      Node p = apply(g, new LeadingColumnsTwice(2), x);
      Node b = apply(g, new Affine(-1.5, 0.0), x);
      Node a = apply(g, new Unary(Unary.Fn.SQUARE), x);
      return add(g, apply(g, new RowSum(), add(g, a, b)), apply(g, new RowSum(), p));
    });
    assertEquals(2, ex.accumulatedEdges());
  }

  @Test
  void disjointSlicesThatCoverAValueWriteInPlace() {
    Executor ex = check((g, unused) -> {
      Node h = apply(g, new Unary(Unary.Fn.TANH), g.param("x", BATCH, W));
      Node left = apply(g, new Unary(Unary.Fn.EXP), apply(g, new Slice(0, 1), h));
      Node right = apply(g, new Unary(Unary.Fn.SQUARE), apply(g, new Slice(1, W), h));
      return apply(g, new Binary(Binary.Kind.MUL), apply(g, new RowSum(), right), left);
    });
    // The reference VAE's split of the encoder's output: nothing to zero, nothing to add.
    assertEquals(0, ex.accumulatedEdges());
    assertEquals(0, ex.gradientsZeroedPerStep());
  }

  @Test
  void overlappingSlicesAddIntoAZeroedGradient() {
    Executor ex = check((g, unused) -> {
      Node h = apply(g, new Unary(Unary.Fn.TANH), g.param("x", BATCH, W));
      // Created in this order, the consumer of [1, W) runs after that of [0, 3) in backward order:
      // it adds into columns 1 and 2 and into column 3, which nothing wrote, so h's gradient is
      // zeroed before every backward pass.
      Node late = apply(g, new Unary(Unary.Fn.EXP), apply(g, new Slice(1, W), h));
      Node early = apply(g, new Unary(Unary.Fn.SQUARE), apply(g, new Slice(0, 3), h));
      return add(g, apply(g, new RowSum(), early), apply(g, new RowSum(), late));
    });
    assertEquals(1, ex.accumulatedEdges());
    assertEquals(1, ex.gradientsZeroedPerStep());
  }

  @Test
  void aColumnNoSliceReadsHasZeroGradient() {
    Executor ex = check((g, unused) -> {
      Node h = apply(g, new Unary(Unary.Fn.TANH), g.param("x", BATCH, W));
      return apply(g, new Unary(Unary.Fn.EXP), apply(g, new Slice(1, 3), h));
    });
    assertEquals(0, ex.accumulatedEdges());
    assertEquals(1, ex.gradientsZeroedPerStep());
  }

  /**
   * Builds the case's graph with loss = row sum of (output * fixed random weights), runs one
   * training step at random parameters, then another at new random parameters, and compares the
   * second step's gradient with central finite differences. Returns the executor for plan checks.
   */
  static Executor check(BiFunction<Graph, List<Node>, Node> build) {
    Graph g = new Graph();
    Node out = build.apply(g, List.of());
    Node weights = g.input("weights", out.width());
    Node loss = apply(g, new RowSum(), apply(g, new Binary(Binary.Kind.MUL), out, weights));
    g.setLoss(loss);
    List<ParamEntry> layout = new ArrayList<>();
    for (Node p : g.params().values()) layout.add(new ParamEntry(p.name(), p.paramShape()));
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    Random r = new Random(7);
    Executor ex = new Executor(g, BATCH, store);
    INDArray wts = ex.input("weights");
    for (long k = 0; k < wts.length(); k++) wts.putScalar(k, r.nextGaussian());

    INDArray flat = store.values();
    for (int step = 0; step < 2; step++) {
      for (long k = 0; k < flat.length(); k++) flat.putScalar(k, 0.8 * r.nextGaussian());
      ex.forward();
      ex.backward();
    }
    double[] analytic = store.grads().toDoubleVector();
    double h = 1e-6;
    boolean anyNonZero = false;
    for (long k = 0; k < flat.length(); k++) {
      double x0 = flat.getDouble(k);
      flat.putScalar(k, x0 + h);
      double up = meanLoss(ex, loss);
      flat.putScalar(k, x0 - h);
      double down = meanLoss(ex, loss);
      flat.putScalar(k, x0);
      double numeric = (up - down) / (2 * h);
      anyNonZero |= Math.abs(numeric) > 1e-3;
      double tol = 1e-6 + 1e-5 * Math.abs(numeric);
      assertTrue(Math.abs(analytic[(int) k] - numeric) <= tol,
          "d/dparam[" + k + "] analytic " + analytic[(int) k] + " numeric " + numeric);
    }
    assertTrue(anyNonZero, "the case's loss should depend on its parameters");
    return ex;
  }

  static double meanLoss(Executor ex, Node loss) {
    ex.forward();
    return ex.value(loss).meanNumber().doubleValue();
  }
}
