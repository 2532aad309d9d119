package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vaec.compiler.plan.EstimatorPlanner.Forced;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.GradientVariance;
import vaec.stdlib.Catalog;
import vaec.stdlib.estimators.Estimators;

/**
 * What `vaec variance` measures, on the enumerable model of {@link EstimatorUnbiasednessTest}
 * with its four data rows as one batch, so that only the estimator's own noise varies: exact
 * enumeration has no variance and its mean is the exact gradient; the score function's mean
 * agrees with it within a stated tolerance and its variance falls with a running-average baseline.
 */
class GradientVarianceTest {
  static final List<String> ENCODER = List.of("enc.0.W", "enc.0.b");

  static GradientVariance.Result measure(Forced f, int steps) {
    SourceFile src = new SourceFile("v.vae", EstimatorUnbiasednessTest.model(""));
    CompiledModel m = Compiler.compile(src, Catalog.standard(), Map.of("z", f)).compiled();
    float[] values = new float[16];
    for (int i = 0; i < 16; i++) values[i] = (float) EstimatorUnbiasednessTest.X[i / 4][i % 4];
    Dataset data = new Dataset("four rows", 4, 4, values, 0, 0);
    // Start every estimator from the same parameters (those of the enumeration test's store).
    Map<String, float[]> start = new HashMap<>();
    var store = EstimatorUnbiasednessTest.store(m);
    for (var e : store.layout()) start.put(e.name(), store.value(e.name()).dup().reshape(-1).toFloatVector());
    return GradientVariance.measure(m, start, vaec.runtime.data.BoundData.of("x", data), 4, steps, 11, ENCODER::contains, n -> n.startsWith("z."));
  }

  @Test
  void enumerationIsExactAndTheScoreFunctionNoisier() {
    GradientVariance.Result exact = measure(Forced.of("enumerate"), 20);
    assertEquals(0.0, exact.totalVariance(), 1e-8, "enumeration draws nothing");
    assertEquals(15, exact.coordinates());   // enc: 4 x 3 weights and 3 biases

    GradientVariance.Result none = measure(Forced.of("score_function").with("baseline", "none"), 4000);
    GradientVariance.Result average = measure(Forced.of("score_function").with("baseline", "average"), 4000);
    assertTrue(none.totalVariance() > 0);
    // Measured with this seed: summed variance 9.80 without a baseline, 0.66 with the running average.
    assertTrue(average.totalVariance() < 0.7 * none.totalVariance(),
        "variance with baseline " + average.totalVariance() + " vs none " + none.totalVariance());
    // The squared norm of a mean of 4000 noisy gradients is |g|^2 + variance / 4000 in expectation:
    // allow the exact value plus 6 times that noise term, and 10% for the baseline's warm-up.
    double expected = exact.meanNormSquared();
    for (GradientVariance.Result r : List.of(none, average)) {
      double noise = r.totalVariance() / 4000;
      assertEquals(expected, r.meanNormSquared() - noise, 0.1 * expected + 6 * noise, "mean gradient norm^2");
    }
  }
}
