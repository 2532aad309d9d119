package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.ops.FlowStep;
import vaec.runtime.ops.NormalRsample;
import vaec.runtime.rng.NoiseSource;

/**
 * Flow guides end to end: the compiled graphs' log q(z) is log q0(z0) - sum_k log|det J_k| computed
 * directly from the graph's own draws and step inputs (global, amortized and context-reading
 * flows), the training graph's gradient of every flow parameter matches finite differences of its
 * loss at fixed noise, the plan and summary say what the flow is, and each misuse is a diagnostic
 * at its position.
 */
class FlowGuideTest {
  static String model(String guide) {
    return """
        data x : real[3] in [0, 1]
        latent z : real[2]
        network e = MLP(3 -> 8 -> 4)
        network a = Linear(3 -> 30)
        network d = Linear(2 -> 3)
        prior z ~ Normal(0, 1)
        guide {
          m, ls = split(e(x))
          GUIDE
        }
        likelihood x ~ Bernoulli(logits = d(z))
        train { batch = 4; epochs = 1; seed = 0 }
        """.replace("GUIDE", guide);
  }

  static final List<String> GUIDES = List.of(
      "z ~ Planar(Normal(m, exp(ls)), length = 3)",
      "z ~ Planar(Normal(m, exp(ls)), length = 6, params = a(x))",
      "z ~ Radial(Normal(m, exp(ls)), length = 3)",
      "z ~ Householder(Normal(m, exp(ls)), length = 2)",
      "z ~ Sylvester(Normal(m, exp(ls)), length = 2)",
      "z ~ IAF(Normal(m, exp(ls)), length = 2, hidden = 5, context = ls)",
      "z ~ RealNVP(Normal(m, exp(ls)), length = 3, hidden = 5)");

  static ParameterStore randomStore(vaec.runtime.model.CompiledModel m, long seed, double scale) {
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    java.util.Random r = new java.util.Random(seed);
    for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * scale);
    return store;
  }

  static void fill(Executor ex, long seed) {
    INDArray in = ex.input("x");
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < in.rows(); i++) for (int j = 0; j < 3; j++) in.putScalar(i, j, r.nextDouble());
  }

  static double[] row(INDArray m, int r) {
    double[] out = new double[(int) m.columns()];
    for (int j = 0; j < out.length; j++) out[j] = m.getDouble(r, j);
    return out;
  }

  /** kl_z of the evaluation graph is log q(z_K) - log p(z_K); recomputed here from the graph's base draw and step inputs. */
  @Test
  void loweredLogDensityIsBaseDensityMinusTheStepsLogDeterminants() {
    for (String guide : GUIDES) {
      var c = Compiler.compile(new SourceFile("f.vae", model(guide)));
      Graph g = c.compiled().evaluate();
      ParameterStore store = randomStore(c.compiled(), 3, 0.5);
      int n = 7;
      Executor ex = new Executor(g, n, store);
      fill(ex, 1);
      ex.drawNoise(new NoiseSource(9), 0);
      ex.forward();
      Node rs = g.nodes().stream().filter(x -> x.kind() == Node.Kind.OP && x.op() instanceof NormalRsample).findFirst().orElseThrow();
      List<Node> steps = new ArrayList<>();
      for (Node x : g.nodes()) if (x.kind() == Node.Kind.OP && x.op() instanceof FlowStep) steps.add(x);
      assertFalse(steps.isEmpty(), guide);
      for (int r = 0; r < n; r++) {
        double[] loc = row(ex.value(rs.input(0)), r), scale = row(ex.value(rs.input(1)), r), eps = row(ex.value(rs.input(2)), r);
        double[] z = new double[2];
        double logQ = 0;
        for (int j = 0; j < 2; j++) {
          z[j] = loc[j] + scale[j] * eps[j];
          logQ += -0.5 * eps[j] * eps[j] - Math.log(scale[j]) - 0.5 * Math.log(2 * Math.PI);
        }
        for (Node s : steps) {
          FlowStep op = (FlowStep) s.op();
          // theta: one per-row input, or the global blocks side by side; the context is the last input when there is one
          List<Double> theta = new ArrayList<>();
          int last = s.inputs().size() - (op.describe().contains("context") ? 1 : 0);
          for (int i = 1; i < last; i++) {
            Node t = s.input(i);
            INDArray v = ex.value(t);
            if (t.isParam()) for (long k = 0; k < v.length(); k++) theta.add(v.getDouble(k));
            else for (double d : row(v, r)) theta.add(d);
          }
          double[] th = theta.stream().mapToDouble(Double::doubleValue).toArray();
          double[] ctx = last < s.inputs().size() ? row(ex.value(s.input(last)), r) : null;
          for (int j = 0; j < 2; j++) assertEquals(z[j], ex.value(s.input(0)).getDouble(r, j), 1e-9, guide + ": step input");
          double[] out = new double[2];
          logQ -= op.forwardRow(z, th, ctx, out);
          z = out;
        }
        double logP = 0;
        for (int j = 0; j < 2; j++) logP += -0.5 * z[j] * z[j] - 0.5 * Math.log(2 * Math.PI);
        assertEquals(logQ - logP, ex.value("kl_z").getDouble(r, 0), 1e-9, guide + ": row " + r);
      }
      // the log-weight graph scores its draws the same way: its mean over many rows matches the evaluation graph's -loss
      int big = 4000;
      Executor lw = new Executor(c.compiled().logWeight(), big, store);
      Executor ev = new Executor(g, big, store);
      fill(lw, 2);
      fill(ev, 2);
      lw.drawNoise(new NoiseSource(4), 0);
      ev.drawNoise(new NoiseSource(4), 0);
      lw.forward();
      ev.forward();
      double[] a = lw.value("log_weight").toDoubleVector();
      double[] b = ev.value("loss").toDoubleVector();
      double diff = 0;
      for (int i = 0; i < big; i++) diff = Math.max(diff, Math.abs(a[i] + b[i]));
      assertTrue(diff < 1e-9, guide + ": log-weight vs -loss at the same draws, max difference " + diff);
    }
  }

  /**
   * Training through a flow: the gradient of every flow parameter equals finite differences of the
   * loss at fixed noise. Under sticking the landing (log q with the base's and the flow's parameters
   * held) the loss is the same at the same draws, and the flow parameters' gradient differs (the
   * score term is dropped).
   */
  @Test
  void trainingGradientOfFlowParametersMatchesFiniteDifferences() {
    for (String guide : GUIDES) {
      double plainLoss = Double.NaN;
      double[] plainGrad = null;
      for (String estimator : List.of("", " using sticking_the_landing")) {
        var c = Compiler.compile(new SourceFile("f.vae", model(guide + estimator)));
        Graph g = c.compiled().train();
        ParameterStore store = randomStore(c.compiled(), 5, 0.4);
        int n = 6;
        Executor ex = new Executor(g, n, store);
        fill(ex, 3);
        ex.drawNoise(new NoiseSource(7), 0);
        ex.forward();
        ex.backward();
        double[] grad = store.grads().toDoubleVector();
        if (estimator.isEmpty()) {
          plainLoss = loss(ex);
          plainGrad = grad;
        } else {
          assertEquals(plainLoss, loss(ex), 1e-9, guide + ": the same loss at the same draws under sticking the landing");
          double differs = 0;
          for (int i = 0; i < grad.length; i++) differs = Math.max(differs, Math.abs(grad[i] - plainGrad[i]));
          assertTrue(differs > 1e-6, guide + ": sticking the landing changed no gradient");
        }
        List<String> names = new ArrayList<>();
        long offset = 0;
        List<long[]> ranges = new ArrayList<>();
        for (var p : c.compiled().params()) {
          long size = 1;
          for (long s : p.shape()) size *= s;
          boolean flow = p.name().startsWith("z.flow.") || guide.contains("params") && p.name().startsWith("a.");
          if (flow) {
            names.add(p.name());
            ranges.add(new long[] {offset, offset + size});
          }
          offset += size;
        }
        assertFalse(names.isEmpty(), guide);
        java.util.Random pick = new java.util.Random(1);
        for (long[] range : ranges) {
          for (int t = 0; t < 4; t++) {
            long i = range[0] + (long) (pick.nextDouble() * (range[1] - range[0]));
            double keep = store.values().getDouble(i);
            double h = 1e-6;
            store.values().putScalar(i, keep + h);
            double up = loss(ex);
            store.values().putScalar(i, keep - h);
            double down = loss(ex);
            store.values().putScalar(i, keep);
            double fd = (up - down) / (2 * h);
            if (estimator.isEmpty()) {
              assertEquals(fd, grad[(int) i], 1e-6 * Math.max(1, Math.abs(fd)), guide + ": parameter entry " + i);
            } else {
              assertTrue(Double.isFinite(grad[(int) i]), guide + estimator);
            }
          }
        }
      }
    }
  }

  private static double loss(Executor ex) {
    ex.forward();
    Node l = ex.graph().loss();
    double s = 0;
    INDArray v = ex.value(l);
    for (int r = 0; r < v.rows(); r++) s += v.getDouble(r, 0);
    return s / v.rows();
  }

  @Test
  void planAndSummaryNameTheFlowItsLengthAndParameters() {
    var c = Compiler.compile(new SourceFile("f.vae", model(GUIDES.get(0))));
    assertFalse(c.plan().of("z").analyticKl());
    assertTrue(c.plan().of("z").klReason().contains("a flow has no closed form"), c.plan().of("z").klReason());
    String s = vaec.compiler.emit.Summary.of(c);
    assertTrue(s.contains("Planar flow, length 3, on Normal(loc, scale); 15 global parameters"), s);
    assertEquals(15, c.compiled().params().stream().filter(p -> p.name().startsWith("z.flow.")).mapToLong(p -> p.shape()[0]).sum());
    var amortized = Compiler.compile(new SourceFile("f.vae", model(GUIDES.get(1))));
    assertTrue(vaec.compiler.emit.Summary.of(amortized).contains("30 parameters per example from params (5 per step)"));
    assertTrue(amortized.compiled().params().stream().noneMatch(p -> p.name().startsWith("z.flow.")));
  }

  static Diagnostic only(String guide) {
    CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae", model(guide))));
    assertEquals(1, e.diagnostics().size(), e.getMessage());
    return e.diagnostics().get(0);
  }

  /** The column of {@code token} in a guide statement (indented by 2 in the model). */
  static int col(String guide, String token) { return 3 + guide.indexOf(token); }

  static void at(Diagnostic d, int line, int column, String text) {
    assertEquals(line, d.span().line(), d.message());
    assertEquals(column, d.span().column(), d.message());
    assertTrue(d.message().contains(text), d.message());
  }

  @Test
  void misusesAreDiagnosedAtTheirPosition() {
    // line 9 is the guide statement, which starts at column 3
    at(only("z ~ Planar(Normal(m, exp(ls)), length = 0)"), 9, col("z ~ Planar(Normal(m, exp(ls)), length = 0)", "0)"), "length of Planar must be a whole number from 1 to 500, got 0");
    at(only("z ~ Planar(Normal(m, exp(ls)), length = 2.5)"), 9, col("z ~ Planar(Normal(m, exp(ls)), length = 2.5)", "2.5"), "whole number");
    at(only("z ~ Planar(Normal(m, exp(ls)), length = 2, params = a(x))"), 9, col("z ~ Planar(Normal(m, exp(ls)), length = 2, params = a(x))", "a(x)"),
        "params of Planar must have width 10 (2 steps x 5 parameters for a latent of width 2), got width 30");
    at(only("z ~ IAF(Normal(m, exp(ls)), hidden = 0)"), 9, col("z ~ IAF(Normal(m, exp(ls)), hidden = 0)", "0)"), "hidden of IAF must be a whole number from 1 to 10000");
    at(only("z ~ IAF(Normal(m, exp(ls)), params = a(x))"), 9, col("z ~ IAF(Normal(m, exp(ls)), params = a(x))", "params"), "IAF takes no params");
    at(only("z ~ Planar(Normal(m, exp(ls)), lenght = 2)"), 9, col("z ~ Planar(Normal(m, exp(ls)), lenght = 2)", "lenght"), "Planar has no setting 'lenght'");
    at(only("z ~ Sylvester(Normal(m, exp(ls)), reflections = 3)"), 9, col("z ~ Sylvester(Normal(m, exp(ls)), reflections = 3)", "3)"), "from 1 to 2");
    at(only("z ~ Planar(m, length = 2)"), 9, col("z ~ Planar(m, length = 2)", "Planar"), "Planar wraps a base distribution");
    at(only("z ~ Planar(Planar(Normal(m, exp(ls))), length = 2)"), 9, col("z ~ Planar(Planar(Normal(m, exp(ls))), length = 2)", "Planar(Normal"), "a flow's base is a distribution, not another flow");
    // (Gamma now draws pathwise, by implicit reparameterization, so a flow may wrap it; a discrete base is refused below.)
    at(only("z ~ Planar(Normal(m, exp(ls))) using score_function"), 9, col("z ~ Planar(Normal(m, exp(ls))) using score_function", "score_function"), "no score log q(z)");
    Diagnostic prior = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae",
        model("z ~ Normal(m, exp(ls))").replace("prior z ~ Normal(0, 1)", "prior z ~ Planar(Normal(0, 1))")))).diagnostics().get(0);
    at(prior, 6, 11, "a normalizing flow (Planar) is a guide family");
    String binary = model("z ~ Planar(Bernoulli(logits = m), length = 2)").replace("latent z : real[2]", "latent z : binary[2]")
        .replace("prior z ~ Normal(0, 1)", "prior z ~ Bernoulli(logits = 0)");
    Diagnostic discrete = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae", binary))).diagnostics().get(0);
    at(discrete, 9, col("z ~ Planar(Bernoulli(logits = m), length = 2)", "Bernoulli"), "Bernoulli is discrete");
    String wide1 = model("z ~ RealNVP(Normal(m[0:1], exp(ls[0:1])))").replace("latent z : real[2]", "latent z : real[1]")
        .replace("Linear(2 -> 3)", "Linear(1 -> 3)");
    Diagnostic one = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae", wide1))).diagnostics().get(0);
    at(one, 9, col("z ~ RealNVP(", "RealNVP"), "at least 2 columns");
    String dreg = model("z ~ Planar(Normal(m, exp(ls)), length = 2)").replace("train {", "train { objective = iwae(samples = 3, gradient = dreg);");
    Diagnostic d = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae", dreg))).diagnostics().get(0);
    assertTrue(d.message().contains("gives log q(z) only along its own draws"), d.message());
    // the standard IWAE gradient works with a flow guide
    Compiler.compile(new SourceFile("f.vae", model("z ~ Planar(Normal(m, exp(ls)), length = 2)")
        .replace("train {", "train { objective = iwae(samples = 3);")));
  }
}
