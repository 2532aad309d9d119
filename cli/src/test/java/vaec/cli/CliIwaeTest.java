package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.numbers;
import static vaec.cli.CliRunner.ok;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny model with objective = iwae(samples = 3) through compile, run, eval and variance. */
class CliIwaeTest {
  @TempDir Path dir;

  @Test
  void theIwaeObjectiveRunsEndToEnd() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    Path model = TinyModel.write(dir.resolve("tiny_iwae.vae"),
        TinyModel.variant(TinyModel.text(csv), "seed    = 0", "seed    = 0\n  objective = iwae(samples = 3)"));

    CliRunner.Result compiled = ok("compile", model);
    assertTrue(compiled.stdout().contains("KL term    Monte Carlo: the iwae objective needs log p(z) - log q(z) at each draw"), compiled::toString);
    assertTrue(compiled.stdout().contains("objective IWAE-3"), compiled::toString);
    assertTrue(compiled.stdout().contains("activations at batch 8 x 3 samples"), compiled::toString);

    Path out = dir.resolve("run");
    CliRunner.Result run = ok("run", model, "--out", out, "--eval-samples", 20);
    CliRunner.assertNoStackTrace(run);
    assertTrue(run.stdout().contains("train -IWAE-3"), run::toString);
    String json = CliRunner.metricsText(out);
    double negIwae = number(json, "test_neg_iwae");
    double negElbo = number(json, "test_neg_elbo");
    // log-mean-exp of each example's three log-weights is at least their mean, draw by draw
    assertTrue(Double.isFinite(negIwae) && negIwae <= negElbo + 1e-4, json);
    assertEquals(negElbo, number(json, "test_reconstruction") + number(json, "test_kl"), 1e-4, json);
    List<Double> train = numbers(json, "train_neg_iwae");
    assertEquals(2, train.size(), json);
    assertTrue(train.stream().allMatch(Double::isFinite), json);

    CliRunner.Result eval = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 10);
    CliRunner.assertNoStackTrace(eval);
    Matcher m = Pattern.compile("test -IWAE-3 ([0-9.]+)").matcher(eval.stdout());
    assertTrue(m.find(), eval::toString);
    assertEquals(negIwae, Double.parseDouble(m.group(1)), 0.0006, eval::toString);

    CliRunner.Result variance = ok("variance", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--steps", 3);
    CliRunner.assertNoStackTrace(variance);
    assertTrue(variance.stdout().contains("gradient of the negative importance-weighted bound with k = 3"), variance::toString);
    assertTrue(variance.stdout().contains("sticking_the_landing") && variance.stdout().contains("not applicable here: sticking_the_landing is biased"),
        variance::toString);
  }
}
