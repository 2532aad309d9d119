package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.compiler.emit.Summary;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/** The objective is read from the train block, planned with its settings, and its terms are what the runtime reports. */
class ObjectiveTest {
  static final String MODEL = """
      data x : real[6] in [0, 1]
      latent z : real[2]
      network e = MLP(6 -> 8 -> 4)
      network d = Linear(2 -> 6)
      prior z ~ Normal(0, 1)
      guide { m, s = split(e(x))
        z ~ Normal(m, softplus(s) + 0.1) }
      likelihood x ~ Bernoulli(logits = d(z))
      train { OBJECTIVE }
      """;

  static Compiler.Compilation compile(String objective) {
    return Compiler.compile(new SourceFile("o.vae", MODEL.replace("OBJECTIVE", objective)));
  }

  static CompileError error(String objective) {
    return assertThrows(CompileError.class, () -> compile(objective));
  }

  @Test
  void theElboIsTheDefaultAndReportsItsTerms() {
    var c = compile("batch = 4");
    assertEquals("elbo", c.plan().objective().objective().keyword());
    assertEquals(1, c.compiled().samples());
    assertEquals(List.of("loss", "reconstruction", "kl"), c.compiled().terms().stream().map(ReportedTerm::output).toList());
    for (ReportedTerm t : c.compiled().terms()) c.compiled().train().output(t.output());   // every reported term is an output
    assertTrue(Summary.of(c).contains("objective ELBO (negative ELBO minimized, nats per example)"), Summary.of(c));
  }

  @Test
  void samplesPerExampleAreASettingOfTheElbo() {
    var c = compile("objective = elbo(samples = 4)");
    assertEquals(4, c.compiled().samples());
    assertTrue(Summary.of(c).contains("mean of 4 samples per example"), Summary.of(c));
  }

  @Test
  void objectiveMistakesAreDiagnostics() {
    CompileError unknown = error("objective = iwea");
    assertTrue(unknown.getMessage().contains("unknown objective 'iwea'"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("o.vae:9:"), unknown.getMessage());
    CompileError setting = error("objective = elbo(sample = 4)");
    assertTrue(setting.getMessage().contains("objective 'elbo' has no setting 'sample'"), setting.getMessage());
    assertTrue(setting.getMessage().contains("did you mean 'samples'"), setting.getMessage());
    CompileError value = error("objective = elbo(samples = 0)");
    assertTrue(value.getMessage().contains("samples must be a whole number from 1 to 1024"), value.getMessage());
  }

  /**
   * The sample axis: with S samples each example fills S consecutive rows and the reported terms
   * are means over all rows. With a guide of scale 1e-4 every draw gives nearly the same ELBO, so
   * S = 8 must report what S = 1 does (a wrong row count or normalization would not).
   */
  @Test
  void manySamplesReportTheSameElboAsOne() {
    String sharp = "z ~ Normal(m, 0.0001 + 0 * s)";
    var one = Compiler.compile(new SourceFile("o.vae", MODEL.replace("OBJECTIVE", "batch = 4")
        .replace("z ~ Normal(m, softplus(s) + 0.1)", sharp))).compiled();
    var eight = Compiler.compile(new SourceFile("o.vae", MODEL.replace("OBJECTIVE", "objective = elbo(samples = 8)")
        .replace("z ~ Normal(m, softplus(s) + 0.1)", sharp))).compiled();
    ModelState a = ModelState.fresh(one);
    ModelState b = ModelState.fresh(eight);
    b.params().values().assign(a.params().values());
    int n = 300;
    java.util.Random r = new java.util.Random(3);
    float[] values = new float[n * 6];
    for (int i = 0; i < values.length; i++) values[i] = r.nextFloat();
    BoundData data = BoundData.of("x", new Dataset("random", n, 6, values, 0, 0));
    Evaluator.Terms single = new Evaluator(a).terms(data);
    Evaluator.Terms mean8 = new Evaluator(b).terms(data);
    for (int t = 0; t < 3; t++) {
      assertEquals(single.values()[t], mean8.values()[t], 1e-3 * Math.max(1, Math.abs(single.values()[t])), single.names().get(t).label());
    }
    assertEquals(List.of(2, 2, 2, 3, 3, 3), java.util.Arrays.stream(Evaluator.repeated(2, 2, 3)).boxed().toList());
  }
}
