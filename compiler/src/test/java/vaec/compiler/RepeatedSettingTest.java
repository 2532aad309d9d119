package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import org.junit.jupiter.api.Test;

/**
 * A setting of an objective or estimator clause given twice: {@code iwae(samples = 5, samples = 6)}
 * compiled as IWAE-6 without a word (the optimizer's and the train block's settings were already
 * refused when repeated).
 */
class RepeatedSettingTest {
  @Test
  void anObjectiveSettingGivenTwiceIsAnErrorAtTheSecond() {
    CompileError e = fail(GOOD.replace("train { ", "train { objective = iwae(samples = 5, samples = 6); "));
    Diagnostic d = only(e);
    assertEquals("objective 'iwae': setting 'samples' is given twice", d.message());
    assertEquals(12, d.span().line());
    assertEquals(GOOD.split("\n")[11].indexOf("train {") + "train { objective = iwae(samples = 5, ".length() + 1, d.span().column());
    // Positionally and by name: the same setting.
    only(fail(GOOD.replace("train { ", "train { objective = iwae(5, samples = 6); ")));
  }

  @Test
  void anEstimatorSettingGivenTwiceIsAnError() {
    Diagnostic d = only(fail(GOOD.replace("z ~ Normal(mu, exp(0.5 * log_var))",
        "z ~ Normal(mu, exp(0.5 * log_var)) using score_function(baseline = nvil, baseline = none)")));
    assertTrue(d.message().equals("estimator 'score_function': setting 'baseline' is given twice"), d.message());
  }

  @Test
  void eachSettingOnceStillCompiles() {
    var c = Compiler.compile(new SourceFile("m.vae", GOOD.replace("train { ", "train { objective = iwae(samples = 5); ")));
    assertTrue(c.compiled().config().objective().startsWith("IWAE-5"), c.compiled().config().objective());
  }
}
