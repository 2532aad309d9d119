package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.ok;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active units of a binary latent (Burda et al.'s criterion on E_q[z_u | x], the unit's probability
 * of 1): a guide whose first unit follows a pixel that tells the two patterns of the tiny data apart
 * (probability near 1 in one, near 0 in the other: variance about 0.25 over the test rows) and whose
 * second unit is constant (variance 0) has exactly one active unit of two.
 */
class CliBinaryActiveUnitsTest {
  @TempDir Path dir;

  @Test
  void aBinaryLatentsActiveUnitsAreCountedFromItsProbabilities() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    String text = TinyModel.variant(TinyModel.variant(TinyModel.variant(TinyModel.variant(TinyModel.text(csv),
        "network encoder = MLP(16 -> 8 -> 4, activation = relu)\n", ""),
        "latent z : real[2]\n", "latent z : binary[2]\n"),
        "prior z ~ Normal(0, 1)\n", "prior z ~ Bernoulli(logits = 0)\n"),
        "guide {\n  mu, log_var = split(encoder(x))\n  z ~ Normal(mu, exp(0.5 * log_var))\n}\n",
        // pixel 2 is bright in the top-half pattern only; the second unit's logit is always 0
        "guide z ~ Bernoulli(logits = concat(20 * x[2:3] - 10, 0 * x[0:1]))\n");
    Path model = TinyModel.write(dir.resolve("binary.vae"), text);
    Path out = dir.resolve("run");
    CliRunner.Result run = ok("run", model, "--out", out, "--eval-samples", 5, "--iwae-k", 2);
    CliRunner.assertNoStackTrace(run);
    String json = CliRunner.metricsText(out);
    assertEquals(1, number(json, "active_units_z"), json);
    assertEquals(2, number(json, "units_z"), json);
    assertTrue(run.stdout().contains("Burda et al. 2016): z 1 of 2"), run::toString);

    CliRunner.Result eval = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 5, "--iwae-k", 2);
    CliRunner.assertNoStackTrace(eval);
    assertTrue(eval.stdout().contains("Burda et al. 2016): z 1 of 2"), eval::toString);
  }
}
