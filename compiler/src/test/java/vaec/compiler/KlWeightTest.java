package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.emit.Summary;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Schedule;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.rng.NoiseSource;

/**
 * The ELBO's KL weights (beta, warm-up schedules, free bits) change the trained loss exactly as
 * documented in {@link vaec.stdlib.objectives.Elbo}, at fixed parameters and noise, while the
 * reported -ELBO stays the model's own; score-function gradients stay unbiased for the weighted
 * objective.
 */
class KlWeightTest {
  static final int BATCH = 8;

  static CompiledModel compile(String objective) {
    return ObjectiveTest.compile(objective).compiled();
  }

  /** Train (or evaluation) graph at the deterministic parameters, fixed data and the noise of {@code step}. */
  static Executor run(CompiledModel m, Graph graph, long step) {
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Executor ex = new Executor(graph, BATCH, s);
    INDArray x = ex.input("x");
    Random r = new Random(11);
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < 6; j++) x.putScalar(b, j, r.nextDouble());
    ex.drawNoise(new NoiseSource(5), step);
    ex.forward();
    return ex;
  }

  /** As {@link #run}, after telling the graph that an epoch has {@code stepsPerEpoch} steps. */
  static Executor runInRun(CompiledModel m, long stepsPerEpoch, long step) {
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Executor ex = new Executor(m.train(), BATCH, s);
    INDArray x = ex.input("x");
    Random r = new Random(11);
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < 6; j++) x.putScalar(b, j, r.nextDouble());
    ex.beginRun(stepsPerEpoch);
    ex.drawNoise(new NoiseSource(5), step);
    ex.forward();
    return ex;
  }

  static double[] rows(Executor ex, String output) { return ex.value(output).dup().reshape(-1).toDoubleVector(); }

  /** objective = reconstruction + beta KL, row by row. */
  static void assertWeighted(Executor ex, double beta) {
    double[] rec = rows(ex, "reconstruction");
    double[] kl = rows(ex, "kl");
    double[] obj = rows(ex, "objective");
    for (int i = 0; i < BATCH; i++) assertEquals(rec[i] + beta * kl[i], obj[i], 1e-9 * (1 + Math.abs(obj[i])), "row " + i + " beta " + beta);
  }

  @Test
  void betaWeightsTheKlInTheTrainedLossOnly() {
    CompiledModel plain = compile("batch = 4");
    CompiledModel beta = compile("objective = elbo(beta = 4)");
    assertEquals(List.of("loss", "reconstruction", "kl", "objective"), beta.terms().stream().map(ReportedTerm::output).toList());
    assertEquals(beta.train().output("objective"), beta.train().loss());
    Executor p = run(plain, plain.train(), 0);
    Executor b = run(beta, beta.train(), 0);
    assertArrayEquals(rows(p, "loss"), rows(b, "loss"), 0);   // the reported -ELBO is unchanged
    assertArrayEquals(rows(p, "kl"), rows(b, "kl"), 0);
    assertWeighted(b, 4);
    assertTrue(Math.abs(b.value("kl").meanNumber().doubleValue()) > 1e-3);   // so that beta matters
    assertTrue(Summary.of(ObjectiveTest.compile("objective = elbo(beta = 4)")).contains("KL weight beta 4.0"));
    // beta = 1 and no floor is the plain ELBO: the same graph, no extra term.
    assertEquals(plain.train().nodes().size(), compile("objective = elbo(beta = 1, free_bits = 0)").train().nodes().size());
  }

  @Test
  void warmupSchedulesRiseFromStartToBetaAndStay() {
    Schedule lin = Schedule.warmup(Schedule.Shape.LINEAR, 0.2, 2, 100);
    Schedule sig = Schedule.warmup(Schedule.Shape.SIGMOID, 0.2, 2, 100);
    for (Schedule s : List.of(lin, sig)) {
      assertEquals(0.2, s.at(0), 1e-12);
      assertEquals(1.1, s.at(50), 1e-12);   // the sigmoid is symmetric about the middle
      assertEquals(2, s.at(100), 1e-12);
      assertEquals(2, s.at(1000), 1e-12);
      for (long t = 1; t <= 100; t++) assertTrue(s.at(t) >= s.at(t - 1));
    }
    assertEquals(0.2 + 1.8 * 0.25, lin.at(25), 1e-12);
    assertTrue(sig.at(25) < lin.at(25) && sig.at(75) > lin.at(75));   // slow start, fast middle
    assertThrows(IllegalArgumentException.class, () -> Schedule.warmup(Schedule.Shape.LINEAR, 0, 1, 0));

    for (String shape : List.of("linear", "sigmoid")) {
      CompiledModel m = compile("objective = elbo(schedule = " + shape + ", warmup = 100, beta_start = 0.2, beta = 2)");
      Schedule s = shape.equals("linear") ? lin : sig;
      for (long step : new long[] {0, 50, 100, 150}) assertWeighted(run(m, m.train(), step), s.at(step));
      // The evaluation graph sees no training step: its weighted term is at the final beta.
      assertWeighted(run(m, m.evaluate(), -1_000_000), 2);
    }
    // In epochs: 4 epochs of 25 steps each is the 100-step warm-up above.
    for (String shape : List.of("linear", "sigmoid")) {
      CompiledModel m = compile("objective = elbo(schedule = " + shape + ", warmup_epochs = 4, beta_start = 0.2, beta = 2)");
      Schedule s = shape.equals("linear") ? lin : sig;
      for (long step : new long[] {0, 30, 50, 99, 100, 150}) assertWeighted(runInRun(m, 25, step), s.at(step));
      assertWeighted(run(m, m.evaluate(), -1_000_000), 2);
    }
    assertEquals(Schedule.warmup(Schedule.Shape.LINEAR, 0, 1, 30),
        Schedule.warmupEpochs(Schedule.Shape.LINEAR, 0, 1, 3).inSteps(10));
    assertThrows(IllegalStateException.class, () -> Schedule.warmupEpochs(Schedule.Shape.LINEAR, 0, 1, 3).at(5));
    CompiledModel bowman = compile("objective = elbo(schedule = linear, warmup = 10)");
    assertWeighted(run(bowman, bowman.train(), 0), 0);
    assertWeighted(run(bowman, bowman.train(), 5), 0.5);
    assertWeighted(run(bowman, bowman.train(), 10), 1);
  }

  static Map<String, double[]> gradient(CompiledModel m) {
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Executor ex = new Executor(m.train(), BATCH, s);
    INDArray x = ex.input("x");
    Random r = new Random(11);
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < 6; j++) x.putScalar(b, j, r.nextDouble());
    ex.drawNoise(new NoiseSource(5), 0);
    ex.forward();
    ex.backward();
    Map<String, double[]> g = new HashMap<>();
    for (var p : m.params()) g.put(p.name(), s.grad(p.name()).dup().reshape(-1).toDoubleVector());
    return g;
  }

  static void assertSameGradient(Map<String, double[]> a, Map<String, double[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String n : a.keySet()) assertArrayEquals(a.get(n), b.get(n), 1e-10, n);
  }

  @Test
  void freeBitsFloorTheBatchMeanKl() {
    CompiledModel plain = compile("batch = 4");
    Executor p = run(plain, plain.train(), 0);
    double meanKl = p.value("kl").meanNumber().doubleValue();
    double[] kl = rows(p, "kl");
    assertTrue(meanKl > 0.05, "mean KL " + meanKl);
    // Far above the KL: the term is the constant floor and gives no gradient (as beta = 0 would).
    CompiledModel high = compile("objective = elbo(free_bits = 1000)");
    Executor h = run(high, high.train(), 0);
    double[] rec = rows(h, "reconstruction");
    for (int i = 0; i < BATCH; i++) assertEquals(rec[i] + 1000, rows(h, "objective")[i], 1e-9);
    assertArrayEquals(rows(p, "loss"), rows(h, "loss"), 0);
    assertSameGradient(gradient(compile("objective = elbo(beta = 0)")), gradient(high));
    // Just below the batch mean, though above some rows' KL: unchanged, value and gradient.
    double min = java.util.Arrays.stream(kl).min().orElseThrow();
    assertTrue(min < 0.99 * meanKl, "rows' KL " + java.util.Arrays.toString(kl));
    CompiledModel low = compile("objective = elbo(free_bits = " + 0.99 * meanKl + ")");
    assertArrayEquals(rows(p, "loss"), rows(run(low, low.train(), 0), "objective"), 1e-10);
    assertSameGradient(gradient(plain), gradient(low));
    // Just above the batch mean, though below some rows' KL: every row is the floor.
    CompiledModel above = compile("objective = elbo(free_bits = " + 1.01 * meanKl + ")");
    Executor a = run(above, above.train(), 0);
    for (int i = 0; i < BATCH; i++) assertEquals(rows(a, "reconstruction")[i] + 1.01 * meanKl, rows(a, "objective")[i], 1e-9);
    assertSameGradient(gradient(compile("objective = elbo(beta = 0)")), gradient(above));
    // With beta: beta max(lambda, mean KL).
    CompiledModel both = compile("objective = elbo(beta = 3, free_bits = 1000)");
    Executor bo = run(both, both.train(), 0);
    for (int i = 0; i < BATCH; i++) assertEquals(rows(bo, "reconstruction")[i] + 3000, rows(bo, "objective")[i], 1e-9);
  }

  @Test
  void badSettingsAreDiagnostics() {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("objective = elbo(free_bits = -0.5)", "free_bits must be a non-negative number");
    cases.put("objective = elbo(beta = -1)", "beta must be a non-negative number");
    cases.put("objective = elbo(schedule = linear, warmup = 0)", "warmup must be a positive whole number");
    cases.put("objective = elbo(schedule = linear, warmup = -5)", "warmup must be a positive whole number");
    cases.put("objective = elbo(schedule = linear, warmup = 2.5)", "warmup must be a positive whole number");
    cases.put("objective = elbo(schedule = cosine, warmup = 10)", "unknown schedule 'cosine'");
    cases.put("objective = elbo(schedule = linear)", "schedule = linear needs warmup = STEPS");
    cases.put("objective = elbo(warmup = 100)", "warmup needs a schedule");
    cases.put("objective = elbo(warmup_epochs = 2)", "warmup_epochs needs a schedule");
    cases.put("objective = elbo(schedule = linear, warmup_epochs = 0)", "warmup_epochs must be a positive whole number");
    cases.put("objective = elbo(schedule = linear, warmup = 10, warmup_epochs = 2)", "give the warm-up's length once");
    cases.put("objective = elbo(beta_start = 0.5)", "beta_start is where a schedule starts");
    for (var e : cases.entrySet()) {
      CompileError err = ObjectiveTest.error(e.getKey());
      assertTrue(err.getMessage().contains(e.getValue()), e.getKey() + " -> " + err.getMessage());
      assertTrue(err.getMessage().contains("o.vae:9:"), err.getMessage());
    }
  }

  // ------------------------------------------------------------ enumeration and score functions

  static String model(String using, String objective) {
    return EstimatorUnbiasednessTest.model(using) + "train { objective = " + objective + " }\n";
  }

  /** The exact gradient of the weighted objective by enumeration, checked against finite differences of its value. */
  static Map<String, double[]> exactGradient(String objective) {
    CompiledModel m = Compiler.compile(new SourceFile("e.vae", model("using enumerate", objective))).compiled();
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Executor ex = new Executor(m.train(), EstimatorUnbiasednessTest.BATCH, s);
    EstimatorUnbiasednessTest.fillData(ex);
    ex.forward();
    ex.backward();
    Map<String, double[]> g = new HashMap<>();
    for (String n : EstimatorUnbiasednessTest.SHARED) g.put(n, s.grad(n).dup().reshape(-1).toDoubleVector());
    for (String n : EstimatorUnbiasednessTest.SHARED) {
      INDArray v = s.value(n).reshape(-1);
      for (long i = 0; i < Math.min(3, v.length()); i++) {
        double x0 = v.getDouble(i);
        v.putScalar(i, x0 + 1e-6);
        ex.forward();
        double up = ex.value("objective").meanNumber().doubleValue();
        v.putScalar(i, x0 - 1e-6);
        ex.forward();
        double down = ex.value("objective").meanNumber().doubleValue();
        v.putScalar(i, x0);
        assertEquals((up - down) / 2e-6, g.get(n)[(int) i], 1e-6, objective + ": enumeration gradient of " + n + "[" + i + "]");
      }
    }
    return g;
  }

  /** An enumerated latent's KL is separated exactly: objective - rec = beta (loss - rec) on every row. */
  @Test
  void enumeratedKlIsSeparatedExactly() {
    CompiledModel m = Compiler.compile(new SourceFile("e.vae", model("using enumerate", "elbo(beta = 2.5)"))).compiled();
    Executor ex = new Executor(m.train(), EstimatorUnbiasednessTest.BATCH, EstimatorUnbiasednessTest.store(m));
    EstimatorUnbiasednessTest.fillData(ex);
    ex.forward();
    double[] rec = rows(ex, "reconstruction");
    double[] kl = rows(ex, "kl");
    double[] obj = rows(ex, "objective");
    for (int i = 0; i < rec.length; i++) assertEquals(rec[i] + 2.5 * kl[i], obj[i], 1e-9);
    assertTrue(kl[0] > 1e-3);
  }

  /**
   * The score function's learning signal is weighted as the objective is: its mean gradient
   * matches the exact (enumerated) gradient of the weighted objective within 5 standard errors
   * (see {@link EstimatorUnbiasednessTest#assertMeanGradientIsExact}). Under a free-bits floor far
   * above the KL the signal must leave the KL out; with beta it must scale it.
   */
  @Test
  void scoreFunctionSignalFollowsTheWeights() {
    for (String objective : List.of("elbo(beta = 3)", "elbo(free_bits = 100)")) {
      Map<String, double[]> exact = exactGradient(objective);
      CompiledModel m = Compiler.compile(new SourceFile("s.vae", model("using score_function(baseline = average)", objective))).compiled();
      ParameterStore s = EstimatorUnbiasednessTest.store(m);
      Executor ex = new Executor(m.train(), EstimatorUnbiasednessTest.BATCH, s);
      EstimatorUnbiasednessTest.fillData(ex);
      EstimatorUnbiasednessTest.assertMeanGradientIsExact(objective, ex, s, 23, 400, exact);
    }
    // And the plain ELBO's exact gradient differs from both, so the checks above can fail.
    Map<String, double[]> plain = EstimatorUnbiasednessTest.exactGradient();
    for (String objective : List.of("elbo(beta = 3)", "elbo(free_bits = 100)")) {
      double diff = 0;
      Map<String, double[]> w = exactGradient(objective);
      for (String n : EstimatorUnbiasednessTest.SHARED) for (int i = 0; i < w.get(n).length; i++) diff = Math.max(diff, Math.abs(w.get(n)[i] - plain.get(n)[i]));
      assertTrue(diff > 0.05, objective + " changes the gradient by " + diff);
    }
  }

  static final String AFTER_ENUMERATED = """
      data x : binary[4]
      latent c : binary[1]
      latent z : binary[3]
      network enc = Linear(5 -> 3)
      network dec = Linear(3 -> 4)
      prior c ~ Bernoulli(logits = 0)
      prior z ~ Bernoulli(logits = -0.5)
      guide c ~ Bernoulli(logits = 0.3)
      guide z ~ Bernoulli(logits = enc(concat(x, c))) USING
      likelihood x ~ Bernoulli(logits = dec(z))
      train { objective = OBJECTIVE }
      """;

  /**
   * A latent lowered once per value of an enumerated one: beta splits exactly (the enumerated
   * term's shares per latent add up to its KL), while free bits on its score-function signal is a
   * diagnostic, since its KL per example is not known inside one branch.
   */
  @Test
  void latentsInsideAnEnumerationSplitExactlyAndRefuseFreeBitsOnTheirSignal() {
    for (String using : List.of("using enumerate", "using score_function")) {
      CompiledModel m = Compiler.compile(new SourceFile("a.vae", AFTER_ENUMERATED.replace("USING", using).replace("OBJECTIVE", "elbo(beta = 2)")))
          .compiled();
      assertEquals("enumerate", Compiler.compile(new SourceFile("a.vae", AFTER_ENUMERATED.replace("USING", using)
          .replace("OBJECTIVE", "elbo(beta = 2)"))).plan().of("c").estimator().keyword());
      Executor ex = new Executor(m.train(), EstimatorUnbiasednessTest.BATCH, EstimatorUnbiasednessTest.store(m));
      EstimatorUnbiasednessTest.fillData(ex);
      ex.drawNoise(new NoiseSource(3), 0);
      ex.forward();
      double[] rec = rows(ex, "reconstruction");
      double[] kl = rows(ex, "kl");
      double[] obj = rows(ex, "objective");
      for (int i = 0; i < rec.length; i++) assertEquals(rec[i] + 2 * kl[i], obj[i], 1e-9, using + " row " + i);
    }
    CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("a.vae",
        AFTER_ENUMERATED.replace("USING", "using score_function").replace("OBJECTIVE", "elbo(free_bits = 1)"))));
    assertTrue(e.getMessage().contains("free bits cannot weight the learning signal of 'z'"), e.getMessage());
    assertTrue(e.getMessage().contains("a.vae:9:"), e.getMessage());
    // Reparameterized or enumerated latents there take free bits.
    Compiler.compile(new SourceFile("a.vae", AFTER_ENUMERATED.replace("USING", "using enumerate").replace("OBJECTIVE", "elbo(free_bits = 1)")));
  }
}
