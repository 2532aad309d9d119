package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.emit.Summary;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;

/**
 * VIMCO (Mnih and Rezende 2016) for discrete latents under the multi-sample bound. On
 * {@link EstimatorUnbiasednessTest}'s model (three Bernoulli latents, four binary pixels) the exact
 * gradient of E[IWAE-k] is computed by enumerating all 8^k k-tuples of latent values in plain
 * Java (float64, central differences of the exact expectation); the mean VIMCO gradient of the
 * compiled training graph over many draws must match it within 5 standard errors for every guide
 * and decoder parameter.
 */
class VimcoTest {
  static final int K = 3;
  static final int EXAMPLES = 256;   // the four data rows, each 64 times: 768 rows a step
  static final double[][] X = EstimatorUnbiasednessTest.X;

  static String model(String using, String objective) {
    return EstimatorUnbiasednessTest.model(using) + "train { " + objective + " }\n";
  }

  static double softplus(double a) { return a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)); }

  /** The model's parameters as plain arrays (W is [in, out], row-major, as the dense layers hold it). */
  record Params(double[] we, double[] be, double[] wd, double[] bd) {
    static Params of(ParameterStore s) {
      return new Params(s.value("enc.0.W").dup().reshape(-1).toDoubleVector(), s.value("enc.0.b").dup().reshape(-1).toDoubleVector(),
          s.value("dec.0.W").dup().reshape(-1).toDoubleVector(), s.value("dec.0.b").dup().reshape(-1).toDoubleVector());
    }

    double[] flat() {
      double[] out = new double[we.length + be.length + wd.length + bd.length];
      int i = 0;
      for (double[] a : List.of(we, be, wd, bd)) for (double v : a) out[i++] = v;
      return out;
    }

    static Params unflat(double[] f) {
      return new Params(java.util.Arrays.copyOfRange(f, 0, 12), java.util.Arrays.copyOfRange(f, 12, 15),
          java.util.Arrays.copyOfRange(f, 15, 27), java.util.Arrays.copyOfRange(f, 27, 31));
    }
  }

  /** E over q of IWAE-k at data row x, exactly: the sum over all 8^k tuples of latent values. */
  static double expectedIwae(Params p, double[] x) {
    double[] logQ = new double[8];
    double[] logW = new double[8];
    for (int h = 0; h < 8; h++) {
      double lq = 0;
      double lp = 0;
      for (int i = 0; i < 3; i++) {
        double a = p.be()[i];
        for (int j = 0; j < 4; j++) a += x[j] * p.we()[j * 3 + i];
        int bit = (h >> i) & 1;
        lq += bit * a - softplus(a);
        lp += bit * -0.5 - softplus(-0.5);
      }
      for (int j = 0; j < 4; j++) {
        double d = p.bd()[j];
        for (int i = 0; i < 3; i++) d += ((h >> i) & 1) * p.wd()[i * 4 + j];
        lp += x[j] * d - softplus(d);
      }
      logQ[h] = lq;
      logW[h] = lp - lq;
    }
    double total = 0;
    int tuples = 1 << (3 * K);
    for (int t = 0; t < tuples; t++) {
      double lq = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < K; j++) {
        int h = (t >> (3 * j)) & 7;
        lq += logQ[h];
        max = Math.max(max, logW[h]);
      }
      double sum = 0;
      for (int j = 0; j < K; j++) sum += Math.exp(logW[(t >> (3 * j)) & 7] - max);
      total += Math.exp(lq) * (max + Math.log(sum / K));
    }
    return total;
  }

  /** The training loss's exact expectation: -(mean over the four data rows of E[IWAE-k]). */
  static double exactLoss(double[] flat) {
    Params p = Params.unflat(flat);
    double s = 0;
    for (double[] x : X) s -= expectedIwae(p, x) / X.length;
    return s;
  }

  /** Its gradient by central differences of the exact expectation, by parameter name. */
  static Map<String, double[]> exactGradient(ParameterStore s) {
    double[] f = Params.of(s).flat();
    double[] g = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      double x0 = f[i];
      f[i] = x0 + 1e-5;
      double up = exactLoss(f);
      f[i] = x0 - 1e-5;
      double down = exactLoss(f);
      f[i] = x0;
      g[i] = (up - down) / 2e-5;
    }
    Map<String, double[]> out = new HashMap<>();
    out.put("enc.0.W", java.util.Arrays.copyOfRange(g, 0, 12));
    out.put("enc.0.b", java.util.Arrays.copyOfRange(g, 12, 15));
    out.put("dec.0.W", java.util.Arrays.copyOfRange(g, 15, 27));
    out.put("dec.0.b", java.util.Arrays.copyOfRange(g, 27, 31));
    return out;
  }

  static Executor executor(CompiledModel m, ParameterStore s) {
    Executor ex = new Executor(m.train(), EXAMPLES * K, s);
    INDArray x = ex.input("x");
    for (int r = 0; r < EXAMPLES * K; r++) for (int j = 0; j < 4; j++) x.putScalar(r, j, X[(r / K) % 4][j]);
    return ex;
  }

  @Test
  void vimcoIsUnbiasedForTheGradientOfTheIwaeBound() {
    CompiledModel m = Compiler.compile(new SourceFile("v.vae", model("using vimco", "objective = iwae(samples = " + K + ")"))).compiled();
    assertEquals(K, m.samples());
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Map<String, double[]> exact = exactGradient(s);
    // The plain-Java model is the compiled one: the evaluation graph's mean -IWAE-k over many
    // draws estimates the exact expected loss (checked within 5 standard errors).
    Executor ev = new Executor(m.evaluate(), EXAMPLES * K, s);
    INDArray x = ev.input("x");
    for (int r = 0; r < EXAMPLES * K; r++) for (int j = 0; j < 4; j++) x.putScalar(r, j, X[(r / K) % 4][j]);
    double sum = 0;
    double sumSq = 0;
    int passes = 50;
    for (int t = 0; t < passes; t++) {
      ev.drawNoise(new vaec.runtime.rng.NoiseSource(99), t);
      ev.forward();
      double v = ev.value("loss").meanNumber().doubleValue();
      sum += v;
      sumSq += v * v;
    }
    double mean = sum / passes;
    double se = Math.sqrt((sumSq / passes - mean * mean) / passes);
    double exactLoss = exactLoss(Params.of(s).flat());
    assertTrue(Math.abs(mean - exactLoss) < 5 * se, "loss " + mean + " +- " + se + " vs exact " + exactLoss);
    // 400 steps of 768 rows (256 examples x 3 samples).
    EstimatorUnbiasednessTest.assertMeanGradientIsExact("vimco", executor(m, s), s, 23, 400, exact);
  }

  @Test
  void thePlannerPicksVimcoForDiscreteLatentsUnderTheMultiSampleBound() {
    // a support too large to enumerate: the default (score_function) is refused, vimco replaces it
    String large = GroupedCategoricalTest.model(20, 10, "") + "train { objective = iwae(samples = 4) }\n";
    var c = Compiler.compile(new SourceFile("c.vae", large));
    assertEquals("vimco", c.plan().of("z").estimator().keyword());
    String summary = Summary.of(c);
    assertTrue(summary.contains("vimco: the iwae objective refuses the default (score_function)"), summary);
    assertTrue(summary.contains("leave-one-out baseline"), summary);
    // a small support is summed exactly inside each sample, as under the ELBO
    assertEquals("enumerate", Compiler.compile(new SourceFile("v.vae", model("", "objective = iwae(samples = 4)"))).plan().of("z").estimator().keyword());
    String categorical = GroupedCategoricalTest.model(1, 3, "") + "train { objective = iwae }\n";
    assertEquals("enumerate", Compiler.compile(new SourceFile("c.vae", categorical)).plan().of("z").estimator().keyword());
    // the training graph runs to finite values
    CompiledModel m = Compiler.compile(new SourceFile("v.vae", model("using vimco", "objective = iwae(samples = 4)"))).compiled();
    ParameterStore s = EstimatorUnbiasednessTest.store(m);
    Executor ex = new Executor(m.train(), 8 * 4, s);
    ex.forward();
    ex.backward();
    assertTrue(Double.isFinite(ex.value("loss").sumNumber().doubleValue()));
    assertTrue(Double.isFinite(s.grad("enc.0.W").sumNumber().doubleValue()));
  }

  @Test
  void vimcoWhereItCannotWorkIsADiagnosticWithTheReason() {
    // on a continuous latent
    String normal = ObjectiveTest.MODEL.replace("OBJECTIVE", "objective = iwae(samples = 5)")
        .replace("softplus(s) + 0.1)", "softplus(s) + 0.1) using vimco");
    CompileError cont = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("n.vae", normal)));
    assertTrue(cont.getMessage().contains("n.vae:7:"), cont.getMessage());
    assertTrue(cont.getMessage().contains("vimco is for discrete latents, and Normal is continuous (use reparameterized)"), cont.getMessage());
    // under the single-sample ELBO (even with several samples averaged)
    for (String elbo : List.of("batch = 4", "objective = elbo(samples = 4)")) {
      CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("e.vae", model("using vimco", elbo))));
      assertTrue(e.getMessage().contains("e.vae:6:"), e.getMessage());
      assertTrue(e.getMessage().contains("vimco is built for a multi-sample bound (objective = iwae(samples = k), k >= 2), not for the elbo"
          + " objective: use score_function for latent 'z'"), e.getMessage());
    }
    // with one sample per example there is no other sample to build the baseline from
    CompileError one = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("o.vae",
        model("using vimco", "objective = iwae(samples = 1)"))));
    assertTrue(one.getMessage().contains("o.vae:6:"), one.getMessage());
    assertTrue(one.getMessage().contains("vimco for latent 'z' needs at least 2 samples per example"), one.getMessage());
    CompileError planned = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("p.vae",
        GroupedCategoricalTest.model(20, 10, "") + "train { objective = iwae(samples = 1) }\n")));
    assertTrue(planned.getMessage().contains("p.vae:6:"), planned.getMessage());
    assertTrue(planned.getMessage().contains("or, for a discrete latent, enumerate (summed exactly inside each sample) or vimco (samples >= 2)"),
        planned.getMessage());
  }
}
