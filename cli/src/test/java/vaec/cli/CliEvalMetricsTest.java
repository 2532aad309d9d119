package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.ok;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers that show posterior collapse, through vaec run's final report and metrics.json and
 * through vaec eval: the IWAE-k bound, each latent's KL term and its active units.
 */
class CliEvalMetricsTest {
  @TempDir Path dir;

  static double group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), () -> "no match for " + regex + " in:\n" + text);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void runAndEvalReportTheIwaeBoundTheKlOfEachLatentAndActiveUnits() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    // a one-hot latent beside the real one: its KL is reported, its active units are not defined
    String mixed = TinyModel.withOneHotLatent(TinyModel.text(csv));
    Path model = TinyModel.write(dir.resolve("mixed.vae"), mixed);
    Path out = dir.resolve("run");
    CliRunner.Result run = ok("run", model, "--out", out, "--eval-samples", 20, "--iwae-k", 5);
    CliRunner.assertNoStackTrace(run);
    String json = CliRunner.metricsText(out);
    assertEquals(5, number(json, "iwae_k"), json);
    double iwae = number(json, "test_iwae_bound");
    double negElbo = number(json, "test_neg_elbo");
    // the IWAE-5 bound is above the ELBO (by a margin far beyond the noise of 40 test examples it may lose to: 1 nat)
    assertTrue(Double.isFinite(iwae) && iwae > -negElbo - 1, json);
    double klC = number(json, "test_kl_c");
    double klZ = number(json, "test_kl_z");
    assertEquals(number(json, "test_kl"), klC + klZ, 1e-4, json);
    assertTrue(klC >= 0 && klZ >= 0, json);
    assertEquals("null", CliRunner.rawNumber(json, "active_units_c"), json);
    double activeZ = number(json, "active_units_z");
    assertTrue(activeZ >= 0 && activeZ <= 2 && activeZ == Math.rint(activeZ), json);
    assertEquals(2, number(json, "units_z"), json);
    assertEquals(2, number(json, "units_c"), json);
    assertTrue(run.stdout().contains("test IWAE-5 bound "), run::toString);
    assertTrue(run.stdout().contains("(the log p(x) estimate is the same estimator at K = 20)"), run::toString);
    assertEquals(klC, group(run.stdout(), "test KL per latent \\(nats per example\\): c ([-0-9.]+), z [-0-9.]+"), 0.0006, run::toString);
    assertEquals(klZ, group(run.stdout(), "test KL per latent \\(nats per example\\): c [-0-9.]+, z ([-0-9.]+)"), 0.0006, run::toString);
    assertEquals(activeZ, group(run.stdout(), "z ([0-9]+) of 2"), 0.0, run::toString);
    assertTrue(run.stdout().contains("c not defined (one-hot latent)"), run::toString);

    CliRunner.Result eval = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 20, "--iwae-k", 5);
    CliRunner.assertNoStackTrace(eval);
    // the same checkpoint and noise streams: the same numbers as the run's report
    assertEquals(iwae, group(eval.stdout(), "test IWAE-5 bound ([-0-9.]+) nats per example"), 0.0006, eval::toString);
    assertEquals(klZ, group(eval.stdout(), "test KL per latent \\(nats per example\\): c [-0-9.]+, z ([-0-9.]+)"), 0.0006, eval::toString);
    assertEquals(activeZ, group(eval.stdout(), "z ([0-9]+) of 2"), 0.0, eval::toString);
    double logPx = group(eval.stdout(), "test log p\\(x\\) ~ ([-0-9.]+) nats per example");
    assertEquals(number(json, "test_log_px"), logPx, 0.0006, eval::toString);

    // the default k is 50
    CliRunner.Result byDefault = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 2);
    assertTrue(byDefault.stdout().contains("test IWAE-50 bound "), byDefault::toString);

    CliRunner.userError(new Object[] {"eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--iwae-k", 0},
        "--iwae-k must be at least 1, got 0");
    CliRunner.userError(new Object[] {"eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--iwae-k", 5001},
        "--iwae-k must be at most 5000, got 5001");
  }
}
