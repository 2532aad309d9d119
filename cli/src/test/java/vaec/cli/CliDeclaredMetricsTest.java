package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.exec.Executor;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * The evaluation report ({@code vaec eval}, {@code vaec run}'s final report and its metrics.json)
 * prints and writes every metric the model declares as the metric says, after the numbers every
 * model gets: one declared by the test is reported with no change to the command, and codebook
 * latents' usage and the reconstruction error keep their lines and keys, in the order declared.
 */
class CliDeclaredMetricsTest {
  static final String MODEL = """
      data x : real[6] in [0, 1]
      latent z : real[2]
      network e = MLP(6 -> 8 -> 4)
      network d = Linear(2 -> 6)
      prior z ~ Normal(0, 1)
      guide { m, s = split(e(x))
        z ~ Normal(m, softplus(s) + 0.1) }
      likelihood x ~ Bernoulli(logits = d(z))
      train { batch = 4 }
      """;

  static final String TWO_CODEBOOKS = """
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
      train { batch = 8 }
      """;

  /** A metric the test declares: the examples the evaluation passes covered. */
  record ExamplesSeen(String key) implements EvalMetric {
    @Override public Pass pass() { return Pass.EVALUATE; }

    @Override public Tally start() {
      long[] seen = {0};
      return new Tally() {
        @Override public void add(Executor pass, int examples) { seen[0] += examples; }

        @Override public Value value() {
          long n = seen[0];
          return new Value() {
            @Override public List<String> lines() { return List.of("examples seen: " + n); }

            @Override public Map<String, Object> entries() { return Map.of(key, n); }
          };
        }
      };
    }
  }

  static BoundData data(int rows) {
    Random r = new Random(4);
    float[] v = new float[rows * 6];
    for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
    return BoundData.of("x", new Dataset("test", rows, 6, v, 0, 0));
  }

  static EvalMetrics report(Compiler.Compilation c, CompiledModel m, BoundData test) {
    Map<String, ValueDomain> domains = new LinkedHashMap<>();
    for (var z : c.model().latents()) domains.put(z.name(), z.domain());
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    return EvalMetrics.of(ev, test, ev.terms(test), 5, 5, m.likelihoodLabel(), domains);
  }

  @Test
  void aDeclaredMetricIsPrintedAndWrittenAsItSaysAfterTheNumbersEveryModelGets() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("tiny.vae", MODEL));
    BoundData test = data(23);
    EvalMetrics plain = report(c, c.compiled(), test);
    EvalMetrics declared = report(c, c.compiled().withMetrics(List.of(new ExamplesSeen("test_examples_seen"))), test);

    List<String> lines = new ArrayList<>(plain.lines());
    lines.add("examples seen: 23");
    assertEquals(lines, declared.lines());
    Map<String, Object> metrics = new LinkedHashMap<>(plain.metrics());
    metrics.put("test_examples_seen", 23L);
    assertEquals(metrics, declared.metrics());
    assertEquals(List.copyOf(metrics.keySet()), List.copyOf(declared.metrics().keySet()));
  }

  @Test
  void codebookLatentsReportTheirUsageInOrderThenOneReconstructionError() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("tvq2.vae", TWO_CODEBOOKS));
    EvalMetrics r = report(c, c.compiled(), data(31));
    List<String> lines = r.lines();
    int n = lines.size();
    assertTrue(lines.get(n - 3).startsWith("codebook z1: perplexity ") && lines.get(n - 3).contains(" of 4 codes; "), lines.toString());
    assertTrue(lines.get(n - 2).startsWith("codebook z2: perplexity ") && lines.get(n - 2).contains(" of 5 codes; "), lines.toString());
    assertTrue(lines.get(n - 1).startsWith("reconstruction squared error per example (summed over columns, at the nearest codes): x "),
        lines.toString());
    List<String> keys = List.copyOf(r.metrics().keySet());
    assertEquals(List.of("test_code_perplexity_z1", "codes_in_use_z1", "codes_z1", "test_code_perplexity_z2", "codes_in_use_z2", "codes_z2",
        "test_reconstruction_sq_error_x"), keys.subList(keys.size() - 7, keys.size()));
    assertEquals(4, r.metrics().get("codes_z1"));
    assertEquals(5, r.metrics().get("codes_z2"));
    double inUse = (Double) r.metrics().get("codes_in_use_z2");
    assertTrue(inUse > 0 && inUse <= 1, r.metrics().toString());
  }
}
