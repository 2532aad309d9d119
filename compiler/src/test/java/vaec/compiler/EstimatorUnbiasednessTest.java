package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import vaec.runtime.model.CompiledModel;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.estimators.Estimators;

/**
 * Gradient estimators on a model small enough to enumerate: three Bernoulli latents (8 states),
 * four binary pixels. Enumeration gives the exact gradient of the ELBO, which is checked against
 * float64 finite differences of the enumerated ELBO itself; every score-function variant's mean
 * gradient over many draws must match it within a stated statistical tolerance.
 */
class EstimatorUnbiasednessTest {
  static final int BATCH = 256;   // four data rows, each repeated 64 times: 256 draws per step
  static final double[][] X = {{1, 0, 1, 1}, {0, 0, 1, 0}, {1, 1, 1, 0}, {0, 1, 0, 0}};

  static String model(String using) {
    return """
        data x : binary[4]
        latent z : binary[3]
        network enc = Linear(4 -> 3)
        network dec = Linear(3 -> 4)
        prior z ~ Bernoulli(logits = -0.5)
        guide z ~ Bernoulli(logits = enc(x)) USING
        likelihood x ~ Bernoulli(logits = dec(z))
        """.replace("USING", using);
  }

  /** Deterministic parameter values by name, so every variant starts from the same point. */
  static ParameterStore store(CompiledModel m) {
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore s = new ParameterStore(layout, DataType.DOUBLE);
    for (ParamEntry e : layout) {
      INDArray v = s.value(e.name());
      Random r = new Random(e.name().hashCode());
      boolean estimatorState = e.name().startsWith("z.");
      for (long i = 0; i < v.length(); i++) v.putScalar(i, estimatorState ? 0 : r.nextGaussian() * 0.8);
    }
    return s;
  }

  static void fillData(Executor ex) {
    INDArray x = ex.input("x");
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < 4; j++) x.putScalar(b, j, X[b % 4][j]);
  }

  static final List<String> SHARED = List.of("enc.0.W", "enc.0.b", "dec.0.W", "dec.0.b");

  static Map<String, double[]> exactGradient() {
    CompiledModel m = Compiler.compile(new SourceFile("e.vae", model("using enumerate"))).compiled();
    ParameterStore s = store(m);
    Executor ex = new Executor(m.train(), BATCH, s);
    fillData(ex);
    ex.forward();
    ex.backward();
    Map<String, double[]> g = new HashMap<>();
    for (String n : SHARED) g.put(n, s.grad(n).dup().reshape(-1).toDoubleVector());
    // Finite differences of the enumerated (exact) negative ELBO, for a few entries.
    for (String n : SHARED) {
      INDArray v = s.value(n).reshape(-1);
      for (long i = 0; i < Math.min(3, v.length()); i++) {
        double x0 = v.getDouble(i);
        v.putScalar(i, x0 + 1e-6);
        ex.forward();
        double up = ex.value("loss").meanNumber().doubleValue();
        v.putScalar(i, x0 - 1e-6);
        ex.forward();
        double down = ex.value("loss").meanNumber().doubleValue();
        v.putScalar(i, x0);
        assertEquals((up - down) / 2e-6, g.get(n)[(int) i], 1e-6, "enumeration gradient of " + n + "[" + i + "]");
      }
    }
    return g;
  }

  @Test
  void planPicksEnumerationForSmallSupportAndScoreFunctionOnRequest() {
    var c = Compiler.compile(new SourceFile("e.vae", model("")));
    assertEquals("enumerate", c.plan().of("z").estimator().keyword());
    var sf = Compiler.compile(new SourceFile("e.vae", model("using score_function(baseline = nvil)")));
    assertEquals("score_function", sf.plan().of("z").estimator().keyword());
    assertTrue(sf.plan().of("z").estimatorReason().contains("NVIL"), sf.plan().of("z").estimatorReason());
  }

  @Test
  void scoreFunctionVariantsAreUnbiased() {
    Map<String, double[]> exact = exactGradient();
    for (String baseline : List.of("none", "average", "nvil")) {
      CompiledModel m = Compiler.compile(new SourceFile("s.vae", model("using score_function(baseline = " + baseline + ")"))).compiled();
      ParameterStore s = store(m);
      Executor ex = new Executor(m.train(), BATCH, s);
      fillData(ex);
      // 400 steps of 256 draws: 102,400 draws. The baselines learn along the way (average: its
      // state; nvil: its network is not stepped here).
      assertMeanGradientIsExact(baseline, ex, s, 17, 400, exact);
    }
  }

  /**
   * Runs {@code steps} training steps with fresh noise and asserts that the mean gradient of every
   * shared parameter is within 5 standard errors of {@code exact}. Each step's gradient already
   * averages 256 draws, so the step means are close to normal; a correct estimator then fails an
   * entry by chance with probability about 6e-7.
   */
  static void assertMeanGradientIsExact(String label, Executor ex, ParameterStore s, long seed, int steps,
                                        Map<String, double[]> exact) {
    NoiseSource noise = new NoiseSource(seed);
    Map<String, double[]> sum = new HashMap<>();
    Map<String, double[]> sumSq = new HashMap<>();
    for (int t = 0; t < steps; t++) {
      ex.drawNoise(noise, t);
      ex.forward();
      ex.backward();
      for (String n : SHARED) {
        double[] gr = s.grad(n).dup().reshape(-1).toDoubleVector();
        double[] a = sum.computeIfAbsent(n, k -> new double[gr.length]);
        double[] b = sumSq.computeIfAbsent(n, k -> new double[gr.length]);
        for (int i = 0; i < gr.length; i++) {
          a[i] += gr[i];
          b[i] += gr[i] * gr[i];
        }
      }
    }
    for (String n : SHARED) {
      for (int i = 0; i < exact.get(n).length; i++) {
        double mean = sum.get(n)[i] / steps;
        double se = Math.sqrt(Math.max(0, sumSq.get(n)[i] / steps - mean * mean) / steps);
        assertTrue(Math.abs(mean - exact.get(n)[i]) <= 5 * se + 1e-9,
            label + ": " + n + "[" + i + "] mean " + mean + " exact " + exact.get(n)[i] + " se " + se);
      }
    }
  }
}
