package vaec.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.*;

/**
 * Every operation's reverse-mode gradient against central finite differences in float64. Each
 * case wires the op to parameters (so every input gets a gradient), reduces the output with a
 * fixed random weighting to a per-example loss, and compares d(mean loss)/d(param) element by
 * element, after a first step at other values. Tolerance: |analytic - numeric| <= 1e-6 + 1e-5 |numeric| with step 1e-6, which float64
 * central differences meet by orders of magnitude for these smooth functions.
 */
class GradientCheckTest {
  static final int BATCH = 3;
  static final int W = 4;

  /** A case: how to build the op's inputs and output from the graph's parameters. */
  record Case(String name, BiFunction<Graph, List<Node>, Node> build, int[] widths, boolean[] positive) {
    @Override public String toString() { return name; }
  }

  static Case c(String name, BiFunction<Graph, List<Node>, Node> build, int... widths) {
    return new Case(name, build, widths, new boolean[widths.length]);
  }

  static Case cp(String name, BiFunction<Graph, List<Node>, Node> build, boolean[] positive, int... widths) {
    return new Case(name, build, widths, positive);
  }

  static Stream<Arguments> cases() {
    // Every case twice: inputs as whole parameters, and as column slices of wider parameters, so
    // each op also writes its input gradients into strided views.
    return baseCases().flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
  }

  static Stream<Case> baseCases() {
    List<Case> cs = new ArrayList<>();
    for (Activation a : Activation.values()) {
      cs.add(new Case("dense " + a, (g, p) -> {
        Node w = g.param("W", W, 3);
        Node b = g.param("b", 3);
        return g.apply(new Dense(a), SourceRef.NONE, p.get(0), w, b);
      }, new int[] {W}, new boolean[1]));
    }
    // Convolutions on small images (2 channels of 4x4 or 3x3), strided and padded, fused with an
    // activation, and a residual block (relu, 3x3 conv, relu, 1x1 conv, skip).
    for (Activation a : new Activation[] {Activation.IDENTITY, Activation.TANH}) {
      for (boolean transposed : new boolean[] {false, true}) {
        vaec.runtime.kernels.ConvGeometry geo = transposed
            ? new vaec.runtime.kernels.ConvGeometry(2, 3, 3, 3, 4, 2, 1, true)
            : new vaec.runtime.kernels.ConvGeometry(2, 5, 5, 3, 3, 2, 1, false);
        cs.add(new Case((transposed ? "deconv2d " : "conv2d ") + a, (g, p) -> {
          long[] ws = geo.weightShape();
          Node w = g.param("W", ws[0], ws[1]);
          Node b = g.param("b", geo.outC());
          return g.apply(new Conv2d(geo, a), SourceRef.NONE, p.get(0), w, b);
        }, new int[] {geo.inWidth()}, new boolean[1]));
      }
    }
    cs.add(new Case("residual block", (g, p) -> {
      vaec.runtime.kernels.ConvGeometry g3 = new vaec.runtime.kernels.ConvGeometry(2, 3, 3, 3, 3, 1, 1, false);
      vaec.runtime.kernels.ConvGeometry g1 = new vaec.runtime.kernels.ConvGeometry(3, 3, 3, 2, 1, 1, 0, false);
      Node h = g.apply(new Unary(Unary.Fn.TANH), SourceRef.NONE, p.get(0));
      Node c = g.apply(new Conv2d(g3, Activation.TANH), SourceRef.NONE, h, g.param("W3", 3, 18), g.param("b3", 3));
      Node d = g.apply(new Conv2d(g1, Activation.IDENTITY), SourceRef.NONE, c, g.param("W1", 2, 3), g.param("b1", 2));
      return g.apply(new Binary(Binary.Kind.ADD), SourceRef.NONE, p.get(0), d);
    }, new int[] {18}, new boolean[1]));
    for (Unary.Fn f : Unary.Fn.values()) {
      boolean pos = f == Unary.Fn.LOG || f == Unary.Fn.SQRT;
      cs.add(cp("unary " + f, (g, p) -> g.apply(new Unary(f), SourceRef.NONE, p.get(0)), new boolean[] {pos}, W));
    }
    for (Binary.Kind k : Binary.Kind.values()) {
      cs.add(cp("binary " + k, (g, p) -> g.apply(new Binary(k), SourceRef.NONE, p.get(0), p.get(1)),
          new boolean[] {false, k == Binary.Kind.DIV}, W, W));
    }
    cs.add(c("same input twice (x*x)", (g, p) -> g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, p.get(0), p.get(0)), W));
    cs.add(c("affine", (g, p) -> g.apply(new Affine(-0.5, 2.0), SourceRef.NONE, p.get(0)), W));
    cs.add(cp("reciprocal", (g, p) -> g.apply(new Reciprocal(3.0), SourceRef.NONE, p.get(0)), new boolean[] {true}, W));
    cs.add(c("split by slices and recombine", (g, p) -> {
      Node a = g.apply(new Slice(0, 2), SourceRef.NONE, p.get(0));
      Node b = g.apply(new Slice(2, 4), SourceRef.NONE, p.get(0));
      Node e = g.apply(new Unary(Unary.Fn.EXP), SourceRef.NONE, b);
      Node used = g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, p.get(0), p.get(0));
      Node m = g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, a, e);
      return g.apply(new Concat(), SourceRef.NONE, m, used);
    }, W));
    cs.add(c("softmax", (g, p) -> g.apply(new Softmax(), SourceRef.NONE, p.get(0)), W));
    cs.add(c("concat", (g, p) -> g.apply(new Concat(), SourceRef.NONE, p.get(0), p.get(1)), W, 2));
    cs.add(c("row sum", (g, p) -> g.apply(new RowSum(), SourceRef.NONE, p.get(0)), W));
    cs.add(c("stop gradient keeps the other path", (g, p) -> g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE,
        g.apply(new StopGradient(), SourceRef.NONE, p.get(1)), p.get(0)), W, W));
    cs.add(cp("normal rsample", (g, p) -> g.apply(new NormalRsample(), SourceRef.NONE, p.get(0), p.get(1), p.get(2)),
        new boolean[] {false, true, false}, W, W, W));
    cs.add(cp("normal log prob", (g, p) -> g.apply(new NormalLogProb(), SourceRef.NONE, p.get(0), p.get(1), p.get(2)),
        new boolean[] {false, false, true}, W, W, W));
    cs.add(c("bernoulli logits log prob", (g, p) -> g.apply(new BernoulliLogitsLogProb(), SourceRef.NONE, p.get(0), p.get(1)), W, W));
    cs.add(cp("bernoulli probs log prob", (g, p) -> g.apply(new BernoulliProbsLogProb(), SourceRef.NONE, p.get(0),
        g.apply(new Unary(Unary.Fn.SIGMOID), SourceRef.NONE, p.get(1))), new boolean[] {true, false}, W, W));
    cs.add(c("categorical logits log prob", (g, p) -> g.apply(new CategoricalLogitsLogProb(), SourceRef.NONE, p.get(0), p.get(1)), W, W));
    // The relaxed samplers and densities: uniform noise as sigmoid(param) stays inside (0, 1), well
    // away from the clamp at 1e-7, so the noise's derivative is checked too; the values scored by
    // the densities lie strictly inside (0, 1) and the simplex through a sigmoid and a softmax.
    for (double temperature : new double[] {0.5, 2.0}) {
      cs.add(c("concrete rsample, temperature " + temperature, (g, p) -> g.apply(new ConcreteRsample(temperature), SourceRef.NONE,
          p.get(0), sigmoid(g, p.get(1))), W, W));
      cs.add(c("relaxed bernoulli rsample, temperature " + temperature, (g, p) -> g.apply(new RelaxedBernoulliRsample(temperature),
          SourceRef.NONE, p.get(0), sigmoid(g, p.get(1))), W, W));
      cs.add(c("concrete log prob, temperature " + temperature, (g, p) -> g.apply(new ConcreteLogProb(temperature), SourceRef.NONE,
          g.apply(new Softmax(), SourceRef.NONE, p.get(0)), p.get(1)), W, W));
      cs.add(c("relaxed bernoulli log prob, temperature " + temperature, (g, p) -> g.apply(new RelaxedBernoulliLogProb(temperature),
          SourceRef.NONE, sigmoid(g, p.get(0)), p.get(1)), W, W));
    }
    cs.add(c("concrete log prob of its own rsample", (g, p) -> {
      Node y = g.apply(new ConcreteRsample(0.7), SourceRef.NONE, p.get(0), sigmoid(g, p.get(1)));
      return g.apply(new ConcreteLogProb(0.7), SourceRef.NONE, y, p.get(0));
    }, W, W));
    // REBAR's and RELAX's pieces: the 1 x 1 parameters (temperature, scale) get summed gradients.
    cs.add(c("scale by a 1 x 1 parameter", (g, p) -> g.apply(new ScaleByParam(), SourceRef.NONE, p.get(0), g.param("eta", 1, 1)), W));
    cs.add(c("tempered sigmoid", (g, p) -> g.apply(new TemperedSigmoid(), SourceRef.NONE, p.get(0), g.param("log_lambda", 1, 1)), W));
    // Their noise is a sample, never differentiated: it enters as a constant here.
    cs.add(c("logistic rsample", (g, p) -> g.apply(new LogisticRsample(), SourceRef.NONE, p.get(0), g.constant(0.37, W)), W));
    cs.add(c("conditional logistic rsample", (g, p) -> g.apply(new ConditionalLogistic(), SourceRef.NONE, p.get(0),
        g.apply(new Heaviside(), SourceRef.NONE, p.get(1)), g.constant(0.81, W)), W, W));
    cs.add(cp("kl normal normal", (g, p) -> g.apply(new KlNormalNormal(), SourceRef.NONE, p.get(0), p.get(1), p.get(2), p.get(3)),
        new boolean[] {false, true, false, true}, W, W, W, W));
    cs.add(c("group log-mean-exp over the sample axis (one group of 3 rows)",
        (g, p) -> g.apply(new vaec.runtime.ops.GroupLogMeanExp(BATCH), SourceRef.NONE, p.get(0)), 1));
    cs.add(c("group log-mean-exp, groups of 1 (the identity)",
        (g, p) -> g.apply(new vaec.runtime.ops.GroupLogMeanExp(1), SourceRef.NONE, p.get(0)), 1));
    cs.add(cp("kl normal std normal", (g, p) -> g.apply(new KlNormalStdNormal(), SourceRef.NONE, p.get(0), p.get(1)),
        new boolean[] {false, true}, W, W));
    // Enumerated branches stacked along the rows: copies of the inputs, one block per value, folded
    // back by a weighted sum over the blocks.
    cs.add(c("repeat rows and weighted block sum", (g, p) -> {
      SourceRef o = SourceRef.NONE;
      Node values = g.apply(new EnumeratedValues(List.of(new double[] {1, -2, 0.5, 3}, new double[] {0.3, 0.7, -1, 2},
          new double[] {-0.5, 1.5, 2, -1})), o, g.constant(0, 1));
      Node x = g.apply(new RepeatRows(3), o, p.get(0));
      Node y = g.apply(new RepeatRows(3), o, p.get(1));
      Node f = g.apply(new RowSum(), o, g.apply(new Binary(Binary.Kind.MUL), o, x, values));
      Node w = g.apply(new RowSum(), o, g.apply(new Unary(Unary.Fn.TANH), o, g.apply(new Binary(Binary.Kind.MUL), o, y, values)));
      return g.apply(new WeightedBlockSum(3), o, w, f);
    }, W, W));
    // REBAR's and RELAX's control variate at several relaxed values in one pass: the values stacked
    // along the rows, a nonlinearity on all blocks, then fixed combinations of the blocks.
    cs.add(c("stack rows and combine blocks", (g, p) -> {
      SourceRef o = SourceRef.NONE;
      Node s = g.apply(new StackRows(3), o, p.get(0), p.get(1), g.apply(new Unary(Unary.Fn.TANH), o, p.get(0)));
      Node sq = g.apply(new Binary(Binary.Kind.MUL), o, s, g.apply(new Unary(Unary.Fn.TANH), o, s));
      Node a = g.apply(new CombineBlocks(0.5, -1, 2), o, sq);
      Node b = g.apply(new CombineBlocks(0, 1, 0), o, s);
      return g.apply(new Binary(Binary.Kind.MUL), o, a, b);
    }, W, W));
    // A dense layer over [repeated x, stacked s] as two blocks of one weight: x meets its rows once
    // per example, its product is repeated into the blocks, and the stacked part's product adds the
    // bias, the repeated product and the activation; the weight's gradient is written by both.
    for (Activation a : new Activation[] {Activation.IDENTITY, Activation.TANH, Activation.RELU}) {
      cs.add(c("dense rows over a repeated and a stacked part, " + a, (g, p) -> {
        SourceRef o = SourceRef.NONE;
        Node w = g.param("W", 5, 3);
        Node b = g.param("b", 3);
        Node values = g.apply(new EnumeratedValues(List.of(new double[] {1, 0}, new double[] {0.3, -2})), o, g.constant(0, 1));
        Node s = g.apply(new Binary(Binary.Kind.MUL), o, g.apply(new RepeatRows(2), o, p.get(1)), values);
        Node hx = g.apply(new DenseRows(0, 3, Activation.IDENTITY, false, false), o, p.get(0), w);
        Node y = g.apply(new DenseRows(3, 5, a, true, true), o, s, w, b, g.apply(new RepeatRows(2), o, hx));
        return g.apply(new CombineBlocks(0.5, -1.5), o, y);
      }, 3, 2));
    }
    return cs.stream();
  }

  static Node sigmoid(Graph g, Node x) { return g.apply(new Unary(Unary.Fn.SIGMOID), SourceRef.NONE, x); }

  @ParameterizedTest(name = "{0}, through slices: {1}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(Case tc, boolean throughSlices) {
    Graph g = new Graph();
    List<Node> inputs = new ArrayList<>();
    // Inputs are parameters of shape [BATCH, w] so that each example's values get a gradient;
    // the "dense" case's x is such a parameter too. Parameters enter ops as batch x w values.
    for (int i = 0; i < tc.widths().length; i++) {
      int w = tc.widths()[i];
      if (throughSlices) {
        Node wide = g.param("in" + i, BATCH, w + 2);
        inputs.add(g.apply(new Slice(1, 1 + w), SourceRef.NONE, wide));
      } else inputs.add(g.param("in" + i, BATCH, w));
    }
    Node out = tc.build().apply(g, inputs);
    Node weights = g.input("weights", out.width());
    Node loss = g.apply(new RowSum(), SourceRef.NONE, g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, out, weights));
    g.setLoss(loss);

    List<ParamEntry> layout = new ArrayList<>();
    for (Node p : g.params().values()) layout.add(new ParamEntry(p.name(), p.paramShape()));
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    Random r = new Random(42);
    for (Node p : g.params().values()) {
      INDArray v = store.value(p.name());
      boolean positive = p.name().startsWith("in") && tc.positive()[Integer.parseInt(p.name().substring(2))];
      for (long k = 0; k < v.length(); k++) {
        double x = r.nextGaussian();
        v.putScalar(k, positive ? 0.3 + Math.abs(x) : x);
      }
    }
    Executor ex = new Executor(g, BATCH, store);
    INDArray wts = ex.input("weights");
    for (long k = 0; k < wts.length(); k++) wts.putScalar(k, r.nextGaussian());

    // A first step at other values (each example's a positive input stays positive) leaves every
    // gradient buffer full, so an op that relies on what it finds in one fails the check below.
    INDArray checked = store.values().dup();
    store.values().muli(1.5).addi(0.1);
    ex.forward();
    ex.backward();
    store.values().assign(checked);
    ex.forward();
    ex.backward();
    double[] analytic = store.grads().toDoubleVector();
    INDArray flat = store.values();
    double h = 1e-6;
    for (long k = 0; k < flat.length(); k++) {
      double x0 = flat.getDouble(k);
      flat.putScalar(k, x0 + h);
      double up = meanLoss(ex, loss);
      flat.putScalar(k, x0 - h);
      double down = meanLoss(ex, loss);
      flat.putScalar(k, x0);
      double numeric = (up - down) / (2 * h);
      if (tc.name().startsWith("stop gradient") && k >= BATCH * (W + (throughSlices ? 2 : 0))) {
        // in1 sits behind the stop-gradient: its gradient must be exactly zero whatever the loss does.
        assertEquals(0.0, analytic[(int) k], "stop-gradient leaked into param " + k);
        continue;
      }
      double tol = 1e-6 + 1e-5 * Math.abs(numeric);
      assertTrue(Math.abs(analytic[(int) k] - numeric) <= tol,
          tc.name() + ": d/dparam[" + k + "] analytic " + analytic[(int) k] + " numeric " + numeric);
    }
  }

  static double meanLoss(Executor ex, Node loss) {
    ex.forward();
    return ex.value(loss).meanNumber().doubleValue();
  }

  @org.junit.jupiter.api.Test
  void parameterViewsShareTheFlatVector() {
    ParameterStore s = new ParameterStore(List.of(new ParamEntry("a", new long[] {2, 3}), new ParamEntry("b", new long[] {3})),
        DataType.FLOAT);
    s.value("a").putScalar(1, 2, 5f);
    s.value("b").putScalar(0, 7f);
    assertEquals(5f, s.values().getFloat(5));
    assertEquals(7f, s.values().getFloat(6));
    assertEquals(9, s.size());
  }
}
