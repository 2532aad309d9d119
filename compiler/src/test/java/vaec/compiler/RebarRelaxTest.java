package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.optim.Adam;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.train.TrainingPass;
import vaec.stdlib.estimators.Estimators;

/**
 * REBAR and RELAX on the enumerable model of {@link EstimatorUnbiasednessTest} (three Bernoulli
 * latents, four pixels): unbiased against the exact gradient, the control variates' variance
 * gradient against finite differences of the estimator's own squared norm, and variance falling
 * as the control variates learn.
 */
class RebarRelaxTest {
  static final int BATCH = EstimatorUnbiasednessTest.BATCH;

  static CompiledModel compile(String using) {
    return Compiler.compile(new SourceFile("r.vae", EstimatorUnbiasednessTest.model(using))).compiled();
  }

  /** The enumeration test's parameters, with the control variates set away from their defaults. */
  static ParameterStore store(CompiledModel m, DataType dtype) {
    ParameterStore base = EstimatorUnbiasednessTest.store(m);
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore s = new ParameterStore(layout, dtype);
    s.values().assign(base.values());
    s.value("z.rebar.log_temperature").assign(Math.log(0.7));
    s.value("z.rebar.eta").assign(0.8);
    Random r = new Random(5);
    for (ParamEntry e : layout) {
      if (!e.name().startsWith("z.relax.")) continue;
      INDArray v = s.value(e.name());
      for (long i = 0; i < v.length(); i++) v.putScalar(i, 0.5 * r.nextGaussian());
    }
    return s;
  }

  @Test
  void planNamesTheLearnedControlVariates() {
    var c = Compiler.compile(new SourceFile("r.vae", EstimatorUnbiasednessTest.model("using relax(temperature = 0.3, hidden = 7)")));
    var lp = c.plan().of("z");
    assertEquals("relax", lp.estimator().keyword());
    assertEquals(7, (int) lp.settings().number("hidden"));
    assertTrue(lp.estimatorReason().contains("r a 3 -> 7 (tanh) -> 1 network") && lp.estimatorReason().contains("from 0.3"), lp.estimatorReason());
    assertNotNull(c.compiled().controlVariates());
    assertEquals(0.3, Math.exp(c.compiled().params().stream().filter(p -> p.name().equals("z.rebar.log_temperature"))
        .findFirst().orElseThrow().value()), 1e-12);
  }

  @Test
  void rebarAndRelaxAreUnbiased() {
    Map<String, double[]> exact = EstimatorUnbiasednessTest.exactGradient();
    for (String using : List.of("using rebar", "using relax(hidden = 5)")) {
      CompiledModel m = compile(using);
      ParameterStore s = store(m, DataType.DOUBLE);
      Executor ex = new Executor(m.train(), BATCH, s);
      EstimatorUnbiasednessTest.fillData(ex);
      // 300 steps of 256 draws: 76,800 draws, within 5 standard errors of the exact gradient.
      EstimatorUnbiasednessTest.assertMeanGradientIsExact(using, ex, s, 23, 300, exact);
    }
  }

  /** Mean over examples of |g|^2, g the estimator's per-example gradient at the guide's logits, for one fixed draw. */
  static double squaredNorm(Executor ex, Node logits) {
    ex.forward();
    ex.backward();
    INDArray g = ex.gradient(logits).mul(BATCH);
    return g.mul(g).sumNumber().doubleValue() / BATCH;
  }

  @Test
  void varianceGradientMatchesFiniteDifferencesOfTheSquaredEstimator() {
    for (String using : List.of("using rebar", "using relax(hidden = 5)")) {
      CompiledModel m = compile(using);
      ParameterStore s = store(m, DataType.DOUBLE);
      TrainingPass pass = new TrainingPass(m, BATCH, s);
      EstimatorUnbiasednessTest.fillData(pass.main());
      Node logits = m.controlVariates().linkedInputs().stream().filter(l -> l.input().name().equals("z.direction")).findFirst().orElseThrow().source().node();
      NoiseSource noise = new NoiseSource(3);
      pass.drawNoise(noise, 0);
      pass.forward();
      pass.backward();
      INDArray grads = s.grads().dup();   // the finite differences below rerun the training graph, which rewrites them
      for (ParamEntry e : s.layout()) {
        if (!e.name().startsWith("z.")) continue;
        INDArray analytic = view(grads, s, e).reshape(-1);
        INDArray v = s.value(e.name()).reshape(-1);
        for (long i = 0; i < Math.min(4, v.length()); i++) {
          double x0 = v.getDouble(i);
          double h = 1e-5;
          v.putScalar(i, x0 + h);
          double up = squaredNorm(pass.main(), logits);
          v.putScalar(i, x0 - h);
          double down = squaredNorm(pass.main(), logits);
          v.putScalar(i, x0);
          double numeric = (up - down) / (2 * h);
          // The control-variate graph differentiates along g by a central difference of step 1e-2
          // (RMS, in logits): its O(1e-4) relative truncation is what this tolerance allows.
          assertEquals(numeric, analytic.getDouble(i), 2e-3 * Math.abs(numeric) + 1e-6,
              using + ": d|g|^2/d" + e.name() + "[" + i + "]");
        }
      }
    }
  }

  @Test
  void learningTheControlVariateLowersTheVariance() {
    for (String using : List.of("using rebar", "using relax(hidden = 20)")) {
      CompiledModel m = compile(using);
      ParameterStore s = store(m, DataType.FLOAT);
      s.value("z.rebar.log_temperature").assign(Math.log(2.0));   // a poor start: a hot relaxation, weak scale
      s.value("z.rebar.eta").assign(0.2);
      TrainingPass pass = new TrainingPass(m, BATCH, s);
      EstimatorUnbiasednessTest.fillData(pass.main());
      Node logits = m.controlVariates().linkedInputs().stream().filter(l -> l.input().name().equals("z.direction")).findFirst().orElseThrow().source().node();
      double before = meanSquaredNorm(pass, logits, 1000);
      Adam adam = new Adam(s.values().length(), DataType.FLOAT, 1e-2, 0.9, 0.999, 1e-8);
      INDArray model = s.values().dup();
      NoiseSource noise = new NoiseSource(7);
      for (int t = 0; t < 400; t++) {
        pass.drawNoise(noise, t);
        pass.forward();
        pass.backward();
        adam.step(s.values(), s.grads());
        // Only the control variates move: restore everything else.
        for (ParamEntry e : s.layout()) {
          if (!e.name().startsWith("z.")) s.value(e.name()).assign(view(model, s, e));
        }
      }
      double after = meanSquaredNorm(pass, logits, 1000);
      // E|g|^2 = |E g|^2 + Var g, and E g is fixed: a lower second moment is a lower variance.
      assertTrue(after < 0.9 * before, using + ": E|g|^2 before " + before + ", after " + after);
    }
  }

  /**
   * The control variate's evaluations stacked into one pass per graph (two in the training graph,
   * five in the companion) against one pass per evaluation, the lowering before: on the same
   * parameters, data and draws, the same loss per example and the same gradient of every
   * parameter (the model's and the control variates') to 1e-9 in float64, over several draws.
   */
  @Test
  void stackedControlVariatesAgreeWithOnePassPerEvaluation() {
    for (String using : List.of("using rebar", "using relax(hidden = 5)")) {
      Compiler.Compilation c = Compiler.compile(new SourceFile("r.vae", EstimatorUnbiasednessTest.model(using)));
      CompiledModel stacked = c.compiled();
      vaec.compiler.lower.GraphLowering.Training t =
          vaec.compiler.lower.GraphLowering.lowerTraining(c.model(), c.plan(), vaec.stdlib.Catalog.standard(), false);
      CompiledModel separate = new CompiledModel(stacked.name(), stacked.file(), stacked.sourceHash(), stacked.data(), stacked.params(),
          t.train(), stacked.evaluate(), stacked.logWeight(), stacked.priorSample(), stacked.reconstruct(), stacked.decode(), t.companion(),
          stacked.terms(), stacked.samples(), stacked.config());
      // The decoder runs once on stacked rows in each graph (besides f(b) in the training graph).
      assertEquals(2, decoderPasses(stacked.train()), using);
      assertEquals(1, decoderPasses(stacked.controlVariates()), using);
      assertEquals(3, decoderPasses(separate.train()), using);
      assertEquals(5, decoderPasses(separate.controlVariates()), using);

      ParameterStore sa = store(stacked, DataType.DOUBLE);
      ParameterStore sb = store(separate, DataType.DOUBLE);
      TrainingPass a = new TrainingPass(stacked, BATCH, sa);
      TrainingPass b = new TrainingPass(separate, BATCH, sb);
      EstimatorUnbiasednessTest.fillData(a.main());
      EstimatorUnbiasednessTest.fillData(b.main());
      NoiseSource noise = new NoiseSource(17);
      for (int step = 0; step < 3; step++) {
        a.drawNoise(noise, step);
        b.drawNoise(noise, step);
        copyNoise(a.main(), b.main());
        a.forward();
        a.backward();
        b.forward();
        b.backward();
        double[] la = a.main().value(stacked.train().loss()).dup().reshape(-1).toDoubleVector();
        double[] lb = b.main().value(separate.train().loss()).dup().reshape(-1).toDoubleVector();
        for (int i = 0; i < la.length; i++) assertEquals(lb[i], la[i], 1e-9 * (1 + Math.abs(lb[i])), using + ": loss of row " + i);
        for (ParamEntry e : sa.layout()) {
          double[] ga = sa.grad(e.name()).dup().reshape(-1).toDoubleVector();
          double[] gb = sb.grad(e.name()).dup().reshape(-1).toDoubleVector();
          boolean moved = false;
          for (int i = 0; i < ga.length; i++) {
            assertEquals(gb[i], ga[i], 1e-9 * (1 + Math.abs(gb[i])), using + ", step " + step + ": d loss / d " + e.name() + "[" + i + "]");
            moved |= gb[i] != 0;
          }
          assertTrue(moved, using + ": " + e.name() + " got no gradient, so the comparison says nothing about it");
        }
      }
    }
  }

  /** Dense ops reading the decoder's weight (through a stop or not). */
  static long decoderPasses(vaec.runtime.graph.Graph g) {
    return g.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.op() instanceof vaec.runtime.ops.Dense
        && n.inputs().stream().anyMatch(i -> "dec.0.W".equals(i.name()) || i.inputs().stream().anyMatch(j -> "dec.0.W".equals(j.name())))).count();
  }

  /** The noise of {@code from} copied by name into {@code to}, so both lowerings see the same draws. */
  static void copyNoise(Executor from, Executor to) {
    int copied = 0;
    for (Node n : from.graph().nodes()) {
      if (n.kind() != Node.Kind.NOISE) continue;
      Node m = to.graph().nodes().stream().filter(x -> x.kind() == Node.Kind.NOISE && x.name().equals(n.name())).findFirst().orElseThrow();
      to.value(m).assign(from.value(n));
      copied++;
    }
    assertEquals(2, copied);   // u and v
  }

  static INDArray view(INDArray flat, ParameterStore s, ParamEntry target) {
    long off = 0;
    for (ParamEntry e : s.layout()) {
      if (e.name().equals(target.name())) {
        return flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(off, off + e.size())).reshape(s.value(e.name()).shape());
      }
      off += e.size();
    }
    throw new IllegalArgumentException(target.name());
  }

  static double meanSquaredNorm(TrainingPass pass, Node logits, int draws) {
    NoiseSource noise = new NoiseSource(1234);
    double total = 0;
    for (int t = 0; t < draws / 256 + 1; t++) {
      pass.drawNoise(noise, 100_000 + t);
      total += squaredNorm(pass.main(), logits);
    }
    return total / (draws / 256 + 1);
  }
}
