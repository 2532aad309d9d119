package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * The evaluation numbers that show posterior collapse: each latent's KL term (evaluation graph
 * only), the IWAE-k bound through the Evaluator, log p(x) at K = 5000 in bounded passes, and Burda
 * et al.'s active units.
 */
class EvalMetricsTest {
  /** Two latents, one with a closed-form KL and one at the draw, under the ELBO and under iwae. */
  static final String TWO_LATENTS = """
      data x : real[6] in [0, 1]
      latent z1 : real[3]
      latent z2 : real[2]
      network e1 = MLP(6 -> 8 -> 6)
      network d = Linear(3 -> 6)
      network p2 = Linear(3 -> 2)
      guide {
        m1, s1 = split(e1(x))
        z1 ~ Normal(m1, softplus(s1) + 0.1)
        z2 ~ Normal(p2(z1), 0.3)
      }
      prior { z1 ~ Normal(0, 1)
        z2 ~ Normal(0, 1) }
      likelihood x ~ Bernoulli(logits = d(z1))
      train { OBJECTIVE }
      """;

  static BoundData data(int rows, int width, long seed) {
    Random r = new Random(seed);
    float[] v = new float[rows * width];
    for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
    return BoundData.of("x", new Dataset("test", rows, width, v, 0, 0));
  }

  @Test
  void theKlOfEachLatentSumsToTheKlTermAndOnlyTheEvaluationGraphHasThem() {
    for (String objective : List.of("batch = 4", "objective = iwae(samples = 3)", "objective = elbo(beta = 0.5, free_bits = 0.2)")) {
      CompiledModel m = Compiler.compile(new SourceFile("two.vae", TWO_LATENTS.replace("OBJECTIVE", objective))).compiled();
      assertTrue(m.evaluate().outputs().containsKey("kl_z1") && m.evaluate().outputs().containsKey("kl_z2"), objective);
      for (String o : m.train().outputs().keySet()) assertTrue(!o.startsWith("kl_"), objective + ": the training graph has " + o);
      Evaluator.Terms t = new Evaluator(ModelState.fresh(m)).terms(data(50, 6, 3));
      assertEquals(List.of("z1", "z2"), List.copyOf(t.kl().keySet()), objective);
      double sum = t.kl().get("z1") + t.kl().get("z2");
      assertEquals(t.get("kl"), sum, 1e-4 * Math.max(1, Math.abs(sum)), objective + ": " + t.kl() + " vs " + t.describe());
      assertTrue(t.kl().get("z1") > 0 && t.kl().get("z2") > 0, objective + ": " + t.kl());
    }
  }

  /** The linear-Gaussian model of {@link IwaeTest} with its fixed parameters, as a trained state. */
  static ModelState linearGaussian() {
    CompiledModel m = IwaeTest.compile(IwaeTest.LINEAR_GAUSSIAN, "batch = 4").compiled();
    ModelState s = ModelState.fresh(m);
    ParameterStore fixed = IwaeTest.parameters(m);
    for (var p : m.params()) s.params().value(p.name()).assign(fixed.value(p.name()).castTo(DataType.FLOAT));
    return s;
  }

  static BoundData repeatedX(int rows) {
    float[] v = new float[rows * 3];
    for (int i = 0; i < v.length; i++) v[i] = (float) IwaeTest.X[i % 3];
    return BoundData.of("x", new Dataset("x", rows, 3, v, 0, 0));
  }

  /**
   * On the linear-Gaussian model (log p(x) = -3.046, ELBO -7.427, both exact) with one example
   * repeated, so each row is an independent draw: the IWAE-1 bound through the Evaluator must be
   * within 4 standard errors of the exact ELBO (the standard error from the single-sample
   * log-weights' spread, measured here on 20,000 rows); IWAE-5 must exceed it, and IWAE-50 IWAE-5,
   * by more than 6 standard errors of IWAE-1 (the spread of IWAE-k shrinks with k); and log p(x) at
   * K = 5000, each example's samples split over two passes of 2,500 rows, must be within 0.02 nats
   * of the exact value (IwaeTest measures IWAE-5000 at -3.053 +- 0.005).
   */
  @Test
  void theIwaeBoundIsTheElboAtOneSampleGrowsWithKAndReachesLogPxAt5000() {
    ModelState s = linearGaussian();
    Evaluator ev = new Evaluator(s);
    int n = 20_000;
    Executor ex = new Executor(s.model().logWeight(), n, s.params());
    INDArray in = ex.input("x");
    in.assign(Nd4j.createFromArray(repeatedX(n).get("x").values()).reshape(in.shape()).castTo(in.dataType()));
    ex.drawNoise(new NoiseSource(9), 0);
    ex.forward();
    double[] lw = ex.value("log_weight").toDoubleVector();
    double se = Math.sqrt(HierarchicalElboTest.var(lw) / n);

    double logPx = IwaeTest.exactLogPx();
    double elbo = logPx - IwaeTest.klToPosterior();
    double iw1 = ev.iwaeBound(repeatedX(n), 1);
    double iw5 = ev.iwaeBound(repeatedX(4_000), 5);
    double iw50 = ev.iwaeBound(repeatedX(400), 50);
    String all = String.format("exact ELBO %.4f, log p(x) %.4f; IWAE-1 %.4f (se %.4f), IWAE-5 %.4f, IWAE-50 %.4f", elbo, logPx, iw1, se, iw5, iw50);
    assertTrue(Math.abs(iw1 - elbo) < 4 * se, all);
    assertTrue(iw5 - iw1 > 6 * se, all);
    assertTrue(iw50 - iw5 > 6 * se, all);
    assertTrue(logPx - iw50 > 0, all);

    assertEquals(2_500, Evaluator.maxRowsPerPass(5000));
    double lp5000 = ev.logLikelihood(repeatedX(40), 5000, null);
    assertEquals(logPx, lp5000, 0.02, all + ", log p(x) at K = 5000 " + lp5000);
  }

  /** Every pass holds at most 4,096 rows, whatever K, and covers whole examples or splits one evenly. */
  @Test
  void aPassHoldsABoundedNumberOfRows() {
    for (int k : new int[] {1, 3, 50, 1000, 4095, 4096, 4097, 5000, 8192, 10_001, 100_000}) {
      int rows = Evaluator.maxRowsPerPass(k);
      assertTrue(rows >= 1 && rows <= 4096, k + ": " + rows);
      if (k <= 4096) assertEquals(0, rows % k, k + ": " + rows);
      else assertTrue((long) rows * ((k + 4095) / 4096) >= k, k + ": " + rows);
    }
  }

  /**
   * Passes are sized by the model's width: the MLP VAE keeps 4,096 rows a pass, the convolutional
   * VAE (some 10^5 values per row) fewer, so that one pass's values stay within 256 MiB.
   */
  @Test
  void widePassesHoldFewerRows() throws java.io.IOException {
    CompiledModel mlp = Compiler.compile(SourceFile.read(java.nio.file.Path.of("../examples/vae.vae"))).compiled();
    CompiledModel conv = Compiler.compile(SourceFile.read(java.nio.file.Path.of("../examples/conv_vae.vae"))).compiled();
    assertEquals(4096, Evaluator.rowsPerPass(mlp));
    int rows = Evaluator.rowsPerPass(conv);
    long widest = 0;
    for (var g : List.of(conv.evaluate(), conv.logWeight(), conv.reconstruct(), conv.decode(), conv.priorSample())) {
      long w = 0;
      for (var n : g.nodes()) if (!n.isParam()) w += n.width();
      widest = Math.max(widest, w);
    }
    assertTrue(rows >= 1 && rows < 4096, "conv rows per pass " + rows);
    assertTrue((long) rows * widest * 4 <= 256L << 20 && (long) (rows + 1) * widest * 4 > 256L << 20, rows + " rows of " + widest);
    assertEquals(0, Evaluator.maxRowsPerPass(50, rows) % 50);
  }

  /**
   * A guide whose mean is a fixed linear map of x: unit 0 has variance 1 over the examples, unit 1
   * variance 0.04 (both active), unit 2 variance 0.0025 (below the threshold) and unit 3 ignores x
   * (variance 0). The variances must match the direct computation and two units be active.
   */
  @Test
  void activeUnitsFollowTheVarianceOfTheGuideMean() {
    String model = """
        data x : real[2]
        latent z : real[4]
        network e = Linear(2 -> 4)
        network d = Linear(4 -> 2)
        prior z ~ Normal(0, 1)
        guide z ~ Normal(e(x), 0.5)
        likelihood x ~ Normal(d(z), 1)
        train { batch = 4 }
        """;
    CompiledModel m = Compiler.compile(new SourceFile("au.vae", model)).compiled();
    ModelState s = ModelState.fresh(m);
    // columns: unit 0 reads x0 (scale 1), unit 1 reads x1 (scale 0.2), unit 2 x0 (scale 0.05), unit 3 neither
    double[][] w = {{1, 0, 0.05, 0}, {0, 0.2, 0, 0}};
    s.params().value("e.0.W").assign(Nd4j.createFromArray(w).castTo(DataType.FLOAT).reshape(s.params().value("e.0.W").shape()));
    s.params().value("e.0.b").assign(Nd4j.createFromArray(new float[] {0.3f, -0.2f, 0.1f, 0.7f}).reshape(s.params().value("e.0.b").shape()));
    int n = 2000;
    Random r = new Random(4);
    float[] v = new float[n * 2];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
    BoundData d = BoundData.of("x", new Dataset("test", n, 2, v, 0, 0));

    List<Evaluator.Activity> act = Evaluator.activity(new Evaluator(s).encode(d));
    assertEquals(1, act.size());
    Evaluator.Activity z = act.get(0);
    assertEquals("z", z.latent());
    assertEquals(4, z.units());
    double[] x0 = new double[n];
    double[] x1 = new double[n];
    for (int i = 0; i < n; i++) {
      x0[i] = v[2 * i];
      x1[i] = v[2 * i + 1];
    }
    double[] expected = {HierarchicalElboTest.var(x0), 0.04 * HierarchicalElboTest.var(x1), 0.0025 * HierarchicalElboTest.var(x0), 0};
    for (int u = 0; u < 4; u++) assertEquals(expected[u], z.variance()[u], 1e-4 * Math.max(expected[u], 1e-3), "unit " + u);
    assertEquals(2, z.active(), java.util.Arrays.toString(z.variance()));
    assertEquals(3, z.active(0.001), java.util.Arrays.toString(z.variance()));
  }
}
