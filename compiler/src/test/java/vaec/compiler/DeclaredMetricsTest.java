package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vaec.runtime.data.BoundData;
import vaec.runtime.exec.Executor;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.stdlib.metrics.CodeUsage;
import vaec.stdlib.metrics.ReconstructionError;

/**
 * Evaluation metrics are declared, not found: each codebook latent's estimator declares its code
 * usage (and the model-wide reconstruction error, once however many latents declare it), the
 * evaluator tallies whatever the model declares over the passes it reads, and a metric declared
 * by anyone else (here by the test, as a new estimator's would be) is tallied the same way.
 */
class DeclaredMetricsTest {
  static final String TWO_CODEBOOKS = """
      model tvq2
      data   x : real[6] in [0, 1]
      latent z1 : codes[3, 2]
      latent z2 : codes[2, 3]
      network e1 = Linear(6 -> 6)
      network e2 = Linear(6 -> 6)
      network decoder = MLP(12 -> 5 -> 6, activation = tanh)
      prior {
        z1 ~ UniformCodes(4)
        z2 ~ UniformCodes(5)
      }
      guide {
        z1 ~ VQ(e1(x), codes = 4)
        z2 ~ VQ(e2(x), codes = 5)
      }
      likelihood x ~ Bernoulli(logits = decoder(concat(z1, z2)))
      train { batch = 8; epochs = 1; seed = 0 }
      """;

  static CompiledModel twoCodebooks() { return Compiler.compile(new SourceFile("tvq2.vae", TWO_CODEBOOKS)).compiled(); }

  /** A metric the test declares: the mean per example of an output of the evaluation graph. */
  record MeanOf(String output, String key) implements EvalMetric {
    @Override public Pass pass() { return Pass.EVALUATE; }

    @Override public Tally start() {
      double[] sum = {0};
      long[] examples = {0};
      return new Tally() {
        @Override public void add(Executor pass, int n) {
          sum[0] += pass.value(output).sumNumber().doubleValue();
          examples[0] += n;
        }

        @Override public Value value() {
          double mean = sum[0] / examples[0];
          return new Value() {
            @Override public List<String> lines() { return List.of(String.format(Locale.ROOT, "mean %s %.4f", output, mean)); }

            @Override public Map<String, Object> entries() { return Map.of(key, mean); }
          };
        }
      };
    }
  }

  @Test
  void eachCodebookLatentDeclaresItsUsageAndTheModelOneReconstructionError() {
    CompiledModel m = twoCodebooks();
    // in the order first declared: z1's usage and the reconstruction error, then z2's usage (its reconstruction error is z1's)
    assertEquals(List.of(new CodeUsage("z1", "codes_z1", 4), ReconstructionError.AT_NEAREST_CODES, new CodeUsage("z2", "codes_z2", 5)),
        m.metrics());
    for (EvalMetric e : m.metrics()) {
      if (e instanceof CodeUsage u) assertNotNull(m.evaluate().outputs().get(u.output()), u + " reads an output of the evaluation graph");
    }
    assertEquals(List.of(), ObjectiveTest.compile("batch = 4").compiled().metrics(), "a model without codebook latents declares none");
  }

  @Test
  void theEvaluatorTalliesTheDeclaredMetricsEvaluationGraphFirst() {
    CompiledModel m = twoCodebooks();
    BoundData d = EvalMetricsTest.data(37, 6, 5);
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    List<EvalMetric.Value> values = ev.metrics(d);
    assertEquals(3, values.size(), values.toString());
    CodeUsage.Counts z1 = assertInstanceOf(CodeUsage.Counts.class, values.get(0));
    CodeUsage.Counts z2 = assertInstanceOf(CodeUsage.Counts.class, values.get(1));
    assertEquals("z1", z1.latent());
    assertEquals("z2", z2.latent());
    // every (example, position) pair chose one code: 2 positions of z1, 3 of z2
    assertEquals(37 * 2, java.util.Arrays.stream(z1.counts()).sum());
    assertEquals(37 * 3, java.util.Arrays.stream(z2.counts()).sum());
    assertEquals(4, z1.codes());
    assertEquals(5, z2.codes());
    for (CodeUsage.Counts c : List.of(z1, z2)) {
      assertTrue(c.perplexity() >= 1 - 1e-9 && c.perplexity() <= c.codes() + 1e-9, c.toString());
      assertTrue(c.inUse() >= 1 && c.inUse() <= c.codes(), c.toString());
      assertEquals(List.of(String.format(Locale.ROOT, "codebook %s: perplexity %.2f of %d codes; %d of %d codes in use (%.1f%%)",
          c.latent(), c.perplexity(), c.codes(), c.inUse(), c.codes(), 100.0 * c.inUse() / c.codes())), c.lines());
      assertEquals(List.of("test_code_perplexity_" + c.latent(), "codes_in_use_" + c.latent(), "codes_" + c.latent()),
          List.copyOf(c.entries().keySet()));
      assertEquals(c.codes(), c.entries().get("codes_" + c.latent()));
    }

    // The reconstruction error against the reconstructions the evaluator gives.
    ReconstructionError.Errors err = assertInstanceOf(ReconstructionError.Errors.class, values.get(2));
    float[][] means = ev.reconstruct(d, 37).get("x");
    float[][] x = new float[37][6];
    for (int r = 0; r < 37; r++) d.get("x").copyRow(r, x[r], 0);
    double expected = 0;
    for (int r = 0; r < 37; r++) for (int j = 0; j < 6; j++) expected += (means[r][j] - x[r][j]) * (double) (means[r][j] - x[r][j]);
    expected /= 37;
    assertEquals(expected, err.byVariable().get("x"), 1e-5 * expected);
    assertEquals(List.of(String.format(Locale.ROOT, "reconstruction squared error per example (summed over columns, at the nearest codes): x %.3f",
        err.byVariable().get("x"))), err.lines());
    assertEquals(List.of("test_reconstruction_sq_error_x"), List.copyOf(err.entries().keySet()));

    // A chosen few: the same values.
    List<EvalMetric.Value> usage = ev.metrics(d, metric -> metric instanceof CodeUsage);
    assertEquals(2, usage.size());
    assertEquals(z2.lines(), usage.get(1).lines());
  }

  @Test
  void aMetricDeclaredByAnyoneIsTalliedOverTheEvaluationPassesOfTheTerms() {
    CompiledModel base = ObjectiveTest.compile("batch = 4").compiled();
    // declared twice (as by two latents): one metric
    CompiledModel m = base.withMetrics(List.of(new MeanOf("loss", "test_mean_loss"), new MeanOf("loss", "test_mean_loss")));
    assertEquals(List.of(new MeanOf("loss", "test_mean_loss")), m.metrics());
    BoundData d = EvalMetricsTest.data(50, 6, 3);
    ModelState s = ModelState.fresh(m);
    Evaluator ev = new Evaluator(s);
    double loss = ev.terms(d).loss();
    List<EvalMetric.Value> values = ev.metrics(d);
    assertEquals(1, values.size());
    double mean = (double) values.get(0).entries().get("test_mean_loss");
    // the same rows and noise as the terms: the loss to rounding
    assertEquals(loss, mean, 1e-9 * Math.abs(loss));
    assertEquals(List.of(String.format(Locale.ROOT, "mean loss %.4f", loss)), values.get(0).lines());
    assertEquals(List.of(), new Evaluator(ModelState.fresh(base)).metrics(d), "a model that declares none gets none");
  }
}
