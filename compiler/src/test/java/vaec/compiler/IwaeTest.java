package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.compiler.emit.Summary;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.Dataset;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.MemoryEstimate;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.UserError;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * objective = iwae(samples = k): the importance-weighted bound (Burda, Grosse and Salakhutdinov
 * 2016). On a linear-Gaussian model, whose log p(x) is exact, the compiled evaluation graph's
 * bounds must be ordered ELBO < IWAE-5 < IWAE-50 < log p(x) and IWAE-5000 must reach log p(x);
 * the planner must take every KL term at the draws and refuse estimators that give no correct
 * gradient of the bound.
 */
class IwaeTest {
  /**
   * z ~ N(0, I_2), x | z ~ N(z D + b, 0.5^2 I_3) (D is d's 2 x 3 weight, rows orthogonal with
   * norms 1 and 2), and a Gaussian guide whose mean is an affine map of x and whose scale is 0.6:
   * the exact posterior's scales are 1/sqrt(5) and 1/sqrt(17), and the guide's mean is off by
   * {@link #OFFSET}, so the ELBO is 4.4 nats below log p(x) while the guide, wider than the
   * posterior in both coordinates, keeps the importance weights bounded.
   */
  static final String LINEAR_GAUSSIAN = """
      data x : real[3]
      latent z : real[2]
      network e = Linear(3 -> 2)
      network d = Linear(2 -> 3)
      prior z ~ Normal(0, 1)
      guide z ~ Normal(e(x), 0.6)
      likelihood x ~ Normal(d(z), 0.5)
      train { OBJECTIVE }
      """;

  static final double SIGMA = 0.5;
  static final double[][] D = {{1 / Math.sqrt(2), 1 / Math.sqrt(2), 0}, {2 / Math.sqrt(6), -2 / Math.sqrt(6), 4 / Math.sqrt(6)}};
  static final double[] B = {0.2, -0.1, 0.3};
  static final double[] X = {0.8, -0.4, 1.1};
  static final double GUIDE_SCALE = 0.6;
  static final double[] OFFSET = {0.6, -0.45};

  static Compiler.Compilation compile(String model, String objective) {
    return Compiler.compile(new SourceFile("iw.vae", model.replace("OBJECTIVE", objective)));
  }

  /** The fixed parameters: the decoder above, the guide's mean the posterior mean plus {@link #OFFSET}. */
  static ParameterStore parameters(CompiledModel m) {
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    store.value("d.0.W").assign(Nd4j.createFromArray(D).reshape(store.value("d.0.W").shape()));
    store.value("d.0.b").assign(Nd4j.createFromArray(B).reshape(store.value("d.0.b").shape()));
    // posterior mean, as a row: (x - b) D^T S / sigma^2 with S = (I + D D^T / sigma^2)^-1, diagonal here
    double[] s = new double[2];
    for (int i = 0; i < 2; i++) s[i] = 1 / (1 + dot(D[i], D[i]) / (SIGMA * SIGMA));
    double[][] we = new double[3][2];
    double[] be = OFFSET.clone();
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < 2; i++) {
        we[j][i] = D[i][j] * s[i] / (SIGMA * SIGMA);
        be[i] -= B[j] * we[j][i];
      }
    }
    store.value("e.0.W").assign(Nd4j.createFromArray(we).reshape(store.value("e.0.W").shape()));
    store.value("e.0.b").assign(Nd4j.createFromArray(be).reshape(store.value("e.0.b").shape()));
    return store;
  }

  /** log N(X; b, D^T D + sigma^2 I), by Cholesky, in plain Java. */
  static double exactLogPx() {
    int n = 3;
    double[][] c = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < 2; k++) c[i][j] += D[k][i] * D[k][j];
        if (i == j) c[i][j] += SIGMA * SIGMA;
      }
    }
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double v = c[i][j];
        for (int k = 0; k < j; k++) v -= l[i][k] * l[j][k];
        l[i][j] = i == j ? Math.sqrt(v) : v / l[j][j];
      }
    }
    double[] y = new double[n];   // L y = x - b
    double logDet = 0;
    for (int i = 0; i < n; i++) {
      double v = X[i] - B[i];
      for (int k = 0; k < i; k++) v -= l[i][k] * y[k];
      y[i] = v / l[i][i];
      logDet += 2 * Math.log(l[i][i]);
    }
    return -0.5 * (n * Math.log(2 * Math.PI) + logDet + dot(y, y));
  }

  /**
   * KL(q || p(z | x)) at X: the posterior is N(mu, S) with S = (I + D D^T / sigma^2)^-1, diagonal
   * here, and mu = (x - b) D^T S / sigma^2; the guide is N(mu + offset, 0.6^2 I).
   */
  static double klToPosterior() {
    double kl = 0;
    for (int i = 0; i < 2; i++) {
      double s = 1 / (1 + dot(D[i], D[i]) / (SIGMA * SIGMA));
      double off = OFFSET[i];
      kl += Math.log(Math.sqrt(s) / GUIDE_SCALE) + (GUIDE_SCALE * GUIDE_SCALE + off * off) / (2 * s) - 0.5;
    }
    return kl;
  }

  /** One estimate per group of k rows: the evaluation graph's output at X, negated. */
  record Draws(double[] perGroup, double[] perRow) {
    double mean() { return HierarchicalElboTest.mean(perGroup); }

    double se() { return Math.sqrt(HierarchicalElboTest.var(perGroup) / perGroup.length); }
  }

  static Draws evaluate(String objective, int k, int groups, long stream, String output) {
    CompiledModel m = compile(LINEAR_GAUSSIAN, objective).compiled();
    assertEquals(k, m.samples());
    Executor ex = new Executor(m.evaluate(), groups * k, parameters(m));
    INDArray in = ex.input("x");
    for (int i = 0; i < in.rows(); i++) for (int j = 0; j < 3; j++) in.putScalar(i, j, X[j]);
    ex.drawNoise(new NoiseSource(stream), 0);
    ex.forward();
    double[] rows = ex.value(output).toDoubleVector();
    double[] g = new double[groups];
    for (int i = 0; i < groups; i++) {
      double s = 0;
      for (int j = 0; j < k; j++) s -= rows[i * k + j];
      g[i] = s / k;
    }
    for (int r = 0; r < rows.length; r++) rows[r] = -rows[r];
    return new Draws(g, rows);
  }

  /**
   * Expected values: log p(x) = -3.046 here and the ELBO -7.427 (both exact); measured with these
   * seeds IWAE-5 -3.68 +- 0.01, IWAE-50 -3.088 +- 0.005, IWAE-5000 -3.053 +- 0.005. Each difference must
   * exceed 6 standard errors of the difference (the estimates are independent), and IWAE-5000
   * (the largest k the setting allows; 40 groups, 200,000 rows) must be within 0.02 nats of the
   * exact value and not above it by more than 4 standard errors.
   */
  @Test
  void boundsAreOrderedAndIwae5000ReachesTheExactLogLikelihood() {
    double logPx = exactLogPx();
    Draws iw5 = evaluate("objective = iwae(samples = 5)", 5, 20_000, 1, "loss");
    Draws elboRows = evaluate("objective = iwae(samples = 5)", 5, 20_000, 2, "elbo");
    Draws elbo = new Draws(elboRows.perRow(), elboRows.perRow());   // single-sample log-weights, one per row
    Draws elboObjective = evaluate("objective = elbo", 1, 100_000, 3, "loss");
    Draws iw50 = evaluate("objective = iwae(samples = 50)", 50, 4_000, 4, "loss");
    Draws iw5000 = evaluate("objective = iwae(samples = 5000)", 5000, 40, 5, "loss");
    String all = String.format("log p(x) %.4f, ELBO %.4f +- %.4f (elbo objective %.4f +- %.4f), IWAE-5 %.4f +- %.4f, IWAE-50 %.4f +- %.4f,"
        + " IWAE-5000 %.4f +- %.4f", logPx, elbo.mean(), elbo.se(), elboObjective.mean(), elboObjective.se(), iw5.mean(), iw5.se(),
        iw50.mean(), iw50.se(), iw5000.mean(), iw5000.se());
    // the iwae graph's single-sample ELBO (Monte Carlo KL) and the elbo objective's (closed-form KL) estimate the exact ELBO
    double exactElbo = logPx - klToPosterior();
    assertTrue(Math.abs(elbo.mean() - exactElbo) < 4 * elbo.se(), exactElbo + "; " + all);
    assertTrue(Math.abs(elboObjective.mean() - exactElbo) < 4 * elboObjective.se(), exactElbo + "; " + all);
    assertTrue(iw5.mean() - elbo.mean() > 6 * Math.hypot(iw5.se(), elbo.se()), all);
    assertTrue(iw50.mean() - iw5.mean() > 6 * Math.hypot(iw50.se(), iw5.se()), all);
    assertTrue(logPx - iw50.mean() > 6 * iw50.se(), all);
    assertTrue(Math.abs(iw5000.mean() - logPx) < 0.02, all);
    assertTrue(iw5000.mean() - logPx < 4 * iw5000.se(), all);
    // every row of a group carries the group's bound
    Draws again = evaluate("objective = iwae(samples = 5)", 5, 3, 1, "loss");
    for (int r = 0; r < 15; r++) assertEquals(again.perRow()[r - r % 5], again.perRow()[r], 0.0);
  }

  @Test
  void theKlTermIsTakenAtTheDrawsAndTheSummarySaysWhy() {
    var elbo = compile(ObjectiveTest.MODEL, "batch = 4");
    assertTrue(elbo.plan().of("z").analyticKl());
    var iw = compile(ObjectiveTest.MODEL, "objective = iwae");
    assertFalse(iw.plan().of("z").analyticKl());
    assertEquals("Monte Carlo: the iwae objective needs log p(z) - log q(z) at each draw", iw.plan().of("z").klReason());
    assertEquals("reparameterized", iw.plan().of("z").estimator().keyword());
    assertEquals(5, iw.compiled().samples());
    String summary = Summary.of(iw);
    assertTrue(summary.contains("KL term    Monte Carlo: the iwae objective needs log p(z) - log q(z) at each draw"), summary);
    assertTrue(summary.contains("estimator  reparameterized: Normal has a pathwise sampler"), summary);
    assertTrue(summary.contains("objective IWAE-5 (importance-weighted bound with 5 samples per example"), summary);
    List<ReportedTerm> terms = iw.compiled().terms();
    assertEquals(List.of("-IWAE-5", "-ELBO", "rec", "KL"), terms.stream().map(ReportedTerm::label).toList());
    assertEquals("neg_iwae", terms.get(0).metric());
    for (ReportedTerm t : terms) {
      iw.compiled().train().output(t.output());
      iw.compiled().evaluate().output(t.output());
    }
    assertEquals("-IWAE-50", compile(ObjectiveTest.MODEL, "objective = iwae(50)").compiled().terms().get(0).label());
  }

  /**
   * The memory estimate counts batch x samples rows for what depends on the draws, batch rows for
   * what reads only the data (the encoder runs once per example), and its refusal names the rows.
   */
  @Test
  void theMemoryEstimateCountsEverySample() {
    var one = MemoryEstimate.of(compile(ObjectiveTest.MODEL, "batch = 4").compiled());
    var k1 = MemoryEstimate.of(compile(ObjectiveTest.MODEL, "objective = iwae(samples = 1)\n batch = 4").compiled());
    var many = MemoryEstimate.of(compile(ObjectiveTest.MODEL, "objective = iwae(samples = 1000)\n batch = 4").compiled());
    assertTrue(many.activationBytes() > 500 * one.activationBytes(), one.activationBytes() + " vs " + many.activationBytes());
    assertTrue(many.activationBytes() < 1000 * k1.activationBytes(), k1.activationBytes() + " vs " + many.activationBytes());
    assertTrue(many.describe().contains("activations at batch 4 x 1000 samples"), many.describe());
    UserError e = assertThrows(UserError.class, () -> many.require(new MemoryEstimate.Available(many.totalBytes() - 1, "a test's limit")));
    assertTrue(e.getMessage().contains("batch 4 x 1000 samples = 4,000 rows a step"), e.getMessage());
  }

  @Test
  void estimatorsWithoutACorrectGradientOfTheBoundAreDiagnosticsAtTheGuide() {
    String categorical = GroupedCategoricalTest.model(1, 3, "using score_function") + "train { objective = iwae }\n";
    CompileError c = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("c.vae", categorical)));
    assertTrue(c.getMessage().contains("c.vae:6:"), c.getMessage());
    assertTrue(c.getMessage().contains("the iwae objective needs a pathwise estimator for latent 'z'"), c.getMessage());
    assertTrue(c.getMessage().contains("or, for a discrete latent, enumerate (summed exactly inside each sample) or vimco (samples >= 2)"), c.getMessage());
    assertTrue(c.getMessage().contains("the plan would choose: enumeration"), c.getMessage());
    CompileError dreg = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("c.vae",
        categorical.replace("using score_function", "using enumerate").replace("objective = iwae", "objective = iwae(gradient = dreg)"))));
    assertTrue(dreg.getMessage().contains("iwae(gradient = dreg) needs a reparameterized latent"), dreg.getMessage());

    String normal = ObjectiveTest.MODEL.replace("OBJECTIVE", "objective = iwae(samples = 5)");
    CompileError stl = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("s.vae",
        normal.replace("softplus(s) + 0.1)", "softplus(s) + 0.1) using sticking_the_landing"))));
    assertTrue(stl.getMessage().contains("s.vae:7:"), stl.getMessage());
    assertTrue(stl.getMessage().contains("sticking_the_landing is biased for the iwae objective"), stl.getMessage());
    assertTrue(stl.getMessage().contains("DReG"), stl.getMessage());
    CompileError sf = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("f.vae",
        normal.replace("softplus(s) + 0.1)", "softplus(s) + 0.1) using score_function"))));
    assertTrue(sf.getMessage().contains("the iwae objective needs a pathwise estimator for latent 'z': score_function is built for the"
        + " single-sample ELBO"), sf.getMessage());
    assertTrue(sf.getMessage().contains("the plan would choose: reparameterized"), sf.getMessage());
    var requested = Compiler.compile(new SourceFile("r.vae", normal.replace("softplus(s) + 0.1)", "softplus(s) + 0.1) using reparameterized")));
    assertEquals("reparameterized", requested.plan().of("z").estimator().keyword());
    CompileError k0 = assertThrows(CompileError.class, () -> compile(ObjectiveTest.MODEL, "objective = iwae(samples = 0)"));
    assertTrue(k0.getMessage().contains("samples must be a whole number from 1 to 5000"), k0.getMessage());
  }

  /**
   * A mixed model: c in {0, 1} enumerated (uniform prior), z ~ N(0, 1), x | z, c ~ N(w0 z + w_c + b,
   * 0.5^2), so p(x) = sum_c 1/2 N(x; w_c + b, w0^2 + 0.25) exactly. With fixed random parameters the
   * evaluation graph's IWAE-k, whose rows sum over c exactly, must be the enumerated ELBO at k = 1
   * (within 4 standard errors of the difference of two independent estimates), increase with k
   * (each step more than 4 standard errors) and stay below log p(x).
   */
  static final String MIXED = """
      data x : real[1]
      latent c : onehot[2]
      latent z : real[1]
      network l = Linear(1 -> 2)
      network e = Linear(3 -> 1)
      network d = Linear(3 -> 1)
      prior c ~ Categorical(logits = 0)
      prior z ~ Normal(0, 1)
      guide c ~ Categorical(logits = l(x))
      guide z ~ Normal(e(concat(x, c)), 0.6)
      likelihood x ~ Normal(d(concat(z, c)), 0.5)
      train { OBJECTIVE }
      """;

  static Draws evaluateMixed(String objective, int k, int groups, long stream) {
    CompiledModel m = compile(MIXED, objective).compiled();
    Executor ex = new Executor(m.evaluate(), groups * k, EstimatorUnbiasednessTest.store(m));
    ex.input("x").assign(1.3);
    ex.drawNoise(new NoiseSource(stream), 0);
    ex.forward();
    double[] rows = ex.value("loss").toDoubleVector();
    double[] g = new double[groups];
    for (int i = 0; i < groups; i++) {
      double s = 0;
      for (int j = 0; j < k; j++) s -= rows[i * k + j];
      g[i] = s / k;
    }
    return new Draws(g, rows);
  }

  @Test
  void enumeratedLatentsAreSummedInsideEachSample() {
    var c = compile(MIXED, "objective = iwae(samples = 5)");
    assertEquals("enumerate", c.plan().of("c").estimator().keyword());
    assertEquals("reparameterized", c.plan().of("z").estimator().keyword());
    ParameterStore p = EstimatorUnbiasednessTest.store(c.compiled());
    double w0 = p.value("d.0.W").getDouble(0, 0);
    double b = p.value("d.0.b").getDouble(0);
    double var = w0 * w0 + 0.25;
    double logPx = Double.NEGATIVE_INFINITY;
    for (int cls = 1; cls <= 2; cls++) {
      double mean = p.value("d.0.W").getDouble(cls, 0) + b;
      double lp = Math.log(0.5) - 0.5 * Math.log(2 * Math.PI * var) - (1.3 - mean) * (1.3 - mean) / (2 * var);
      logPx = logPx == Double.NEGATIVE_INFINITY ? lp : Math.max(logPx, lp) + Math.log1p(Math.exp(-Math.abs(logPx - lp)));
    }
    Draws elbo = evaluateMixed("objective = elbo", 1, 20_000, 1);
    Draws k1 = evaluateMixed("objective = iwae(samples = 1)", 1, 20_000, 2);
    Draws k5 = evaluateMixed("objective = iwae(samples = 5)", 5, 4_000, 3);
    Draws k50 = evaluateMixed("objective = iwae(samples = 50)", 50, 400, 4);
    double se = Math.hypot(elbo.se(), k1.se());
    assertTrue(Math.abs(elbo.mean() - k1.mean()) < 4 * se, elbo.mean() + " vs " + k1.mean() + " se " + se);
    assertTrue(k5.mean() - k1.mean() > 4 * Math.hypot(k5.se(), k1.se()), k1.mean() + " " + k5.mean());
    assertTrue(k50.mean() - k5.mean() > 4 * Math.hypot(k50.se(), k5.se()), k5.mean() + " " + k50.mean());
    assertTrue(k50.mean() < logPx + 3 * k50.se(), k50.mean() + " vs log p(x) " + logPx);
    assertTrue(logPx - elbo.mean() > 0.05, "the guide must be off the posterior for the test to mean anything: gap " + (logPx - elbo.mean()));
  }

  /**
   * A few epochs through the real Trainer: every reported term finite, and -IWAE-5 at most the
   * -ELBO of the same draws (log-mean-exp is at least the mean, per group), in training and test.
   */
  @Test
  void aTinyModelTrainsWithIwae(@TempDir Path dir) {
    CompiledModel m = compile(ObjectiveTest.MODEL, "objective = iwae(samples = 5)\n batch = 16").compiled();
    ModelState state = ModelState.fresh(m);
    java.util.Random r = new java.util.Random(5);
    float[] values = new float[128 * 6];
    for (int i = 0; i < values.length; i++) values[i] = r.nextFloat() < 0.3 ? 1 : 0;
    BoundData train = BoundData.of("x", new Dataset("train", 96, 6, java.util.Arrays.copyOf(values, 96 * 6), 0, 0));
    BoundData test = BoundData.of("x", new Dataset("test", 32, 6, java.util.Arrays.copyOfRange(values, 96 * 6, 128 * 6), 0, 0));
    List<TrainingListener.EpochReport> reports = new ArrayList<>();
    TrainingListener listener = new TrainingListener() {
      @Override public void epochDone(EpochReport report) { reports.add(report); }
    };
    assertTrue(new Trainer(state, new DataSplit(train, test), dir.resolve("c.ckpt"), listener).train(3));
    assertEquals(3, reports.size());
    for (TrainingListener.EpochReport e : reports) {
      for (double t : e.train()) assertTrue(Double.isFinite(t), java.util.Arrays.toString(e.train()));
      assertTrue(Double.isFinite(e.testLoss()));
      assertTrue(e.train()[0] <= e.train()[1] + 1e-4, "-IWAE-5 " + e.train()[0] + " vs -ELBO " + e.train()[1]);
    }
    assertTrue(reports.get(2).trainLoss() < reports.get(0).trainLoss(), reports.get(0).trainLoss() + " -> " + reports.get(2).trainLoss());
    Evaluator.Terms t = new Evaluator(state).terms(test);
    assertTrue(t.loss() <= t.get("elbo") + 1e-4, t.describe());
    assertTrue(t.describe().startsWith("-IWAE-5 "), t.describe());
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
