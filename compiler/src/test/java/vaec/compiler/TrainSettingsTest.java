package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import org.junit.jupiter.api.Test;
import vaec.runtime.model.TrainConfig;
import vaec.runtime.optim.OptimizerSpec;

/** Every setting of the train block reaches the TrainConfig, or is refused at its position. */
class TrainSettingsTest {
  static final String SETTINGS = "train { optimizer = Adam(lr = 1e-3); batch = 128; epochs = 10; seed = 0 }";

  static TrainConfig config(String train) {
    return Compiler.compile(new SourceFile("m.vae", GOOD.replace(SETTINGS, train))).compiled().config();
  }

  static Diagnostic error(String train) {
    assertTrue(GOOD.contains(SETTINGS));
    return only(fail(GOOD.replace(SETTINGS, train)));
  }

  @Test
  void everyOptimizerSettingIsRead() {
    OptimizerSpec o = config("train { optimizer = Adam(lr = 2e-3, beta1 = 0.5, beta2 = 0.99, eps = 1e-6) }").optimizer();
    assertEquals(new OptimizerSpec("adam", 2e-3, 0.5, 0.99, 1e-6), o);
    // Left out, each takes the default of Kingma and Ba.
    assertEquals(new OptimizerSpec("adam", 1e-3, 0.5, 0.999, 1e-8), config("train { optimizer = Adam(beta1 = 0.5) }").optimizer());
    assertEquals(OptimizerSpec.adam(), config("train { epochs = 1 }").optimizer());
    assertEquals(new OptimizerSpec("sgd", 0.05, 0.9, 0.999, 1e-8), config("train { optimizer = SGD(0.05) }").optimizer());
    // beta1 = 0 is allowed (no momentum).
    assertEquals(0.0, config("train { optimizer = Adam(beta1 = 0) }").optimizer().beta1());
  }

  @Test
  void everyOtherSettingIsRead() {
    TrainConfig c = config("train { dataset = \"a.csv\"; test_dataset = \"b.csv\"; objective = elbo; batch = 7; epochs = 3; "
        + "seed = 11; binarize = dynamic; eval_samples = 9 }");
    assertEquals("a.csv", c.dataset());
    assertEquals("b.csv", c.testDataset());
    // the objective as trained, with its settings (what a checkpoint records)
    assertEquals("ELBO (negative ELBO minimized, nats per example)", c.objective());
    assertEquals(7, c.batch());
    assertEquals(3, c.epochs());
    assertEquals(11, c.seed());
    assertTrue(c.dynamicBinarization());
    assertEquals(9, c.evalSamples());
  }

  @Test
  void outOfRangeOptimizerSettingsPointAtTheValue() {
    String line = "train { optimizer = Adam(lr = 1e-3, beta1 = 1.0) }";
    Diagnostic d = error(line);
    assertEquals(12, d.span().line());
    assertEquals(line.indexOf("1.0") + 1, d.span().column());
    assertEquals("beta1 must be at least 0 and below 1, got 1", d.message());

    d = error("train { optimizer = Adam(beta2 = -0.5) }");
    assertEquals("beta2 must be at least 0 and below 1, got -0.5", d.message());
    d = error("train { optimizer = Adam(eps = 0) }");
    assertEquals("eps must be a positive number, got 0", d.message());
    line = "train { optimizer = Adam(lr = -1e-3) }";
    d = error(line);
    assertEquals("lr must be a positive number, got -0.001", d.message());
    assertEquals(line.indexOf("-1e-3") + 1, d.span().column());
    d = error("train { optimizer = SGD(lr = 0) }");
    assertEquals("lr must be a positive number, got 0", d.message());
  }

  @Test
  void settingsAnOptimizerDoesNotTakeAreRefused() {
    Diagnostic d = error("train { optimizer = SGD(lr = 0.1, beta1 = 0.5) }");
    assertTrue(d.message().contains("SGD has no setting 'beta1'"), d.message());
    d = error("train { optimizer = Adam(lr = 0.1, lr = 0.2) }");
    assertTrue(d.message().contains("'lr' is given twice"), d.message());
    d = error("train { optimizer = Adam(0.1, 0.5) }");
    assertTrue(d.message().contains("only the first setting of Adam may be given without a name"), d.message());
    d = error("train { optimizer = Adam(beta1 = x) }");
    assertEquals("beta1 must be a number", d.message());
  }
}
