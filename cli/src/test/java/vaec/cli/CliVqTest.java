package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.numbers;
import static vaec.cli.CliRunner.ok;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * A VQ-VAE end to end on the tiny data: training shows and records the codebook terms, a run with
 * EMA codebook updates and dead-code restarts resumes bit for bit (the EMA state and code ages are
 * in the checkpoint), eval reports perplexity and codes in use, sample and the pictures work.
 */
class CliVqTest {
  @TempDir static Path dir;

  static Path model;
  static Path baseline;
  static CliRunner.Result baselineRun;

  static String text(Path csv) {
    String t = TinyModel.text(csv);
    t = TinyModel.variant(t, "latent z : real[2]", "latent z : codes[2, 4]");
    t = TinyModel.variant(t, "network encoder = MLP(16 -> 8 -> 4, activation = relu)", "network encoder = MLP(16 -> 8 -> 8, activation = relu)");
    t = TinyModel.variant(t, "network decoder = MLP(2 -> 8 -> 16, activation = relu)", "network decoder = MLP(8 -> 8 -> 16, activation = relu)");
    t = TinyModel.variant(t, "prior z ~ Normal(0, 1)", "prior z ~ UniformCodes(6)");
    t = TinyModel.variant(t, "guide {\n  mu, log_var = split(encoder(x))\n  z ~ Normal(mu, exp(0.5 * log_var))\n}",
        "guide z ~ VQ(encoder(x), codes = 6) using vq(update = ema, decay = 0.9, restart_dead = 3)");
    return t;
  }

  @BeforeAll
  static void trainBaseline() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    model = TinyModel.write(dir.resolve("tinyvq.vae"), text(csv));
    baseline = dir.resolve("baseline");
    baselineRun = ok("run", model, "--out", baseline, "--eval-samples", 5);
  }

  @Test
  void trainingShowsTheCodebookTermsAndEvalTheCodeUsage() {
    String out = baselineRun.stdout();
    assertTrue(out.contains("commit") && out.contains("perplexity"), baselineRun::toString);
    assertTrue(out.contains("codebook z: perplexity"), baselineRun::toString);
    assertTrue(out.contains("of 6 codes in use"), baselineRun::toString);
    String json = CliRunner.metricsText(baseline);
    double perplexity = number(json, "test_code_perplexity_z");
    assertTrue(perplexity >= 1 && perplexity <= 6, json);
    double inUse = number(json, "codes_in_use_z");
    assertTrue(inUse > 0 && inUse <= 1, json);
    assertTrue(number(json, "test_perplexity_z") >= 1, json);
    // -ELBO = reconstruction + 4 log 6 (codes of width 2 at four positions, uniform prior over 6 codes)
    assertEquals(number(json, "test_neg_elbo"), number(json, "test_reconstruction") + 4 * Math.log(6), 1e-3, json);
    for (String png : new String[] {"samples.png", "reconstructions.png", "codes.png"}) {
      assertTrue(Files.isRegularFile(baseline.resolve(png)), png);
      assertTrue(baselineRun.stdout().contains(baseline.resolve(png).toString()), png);
    }

    CliRunner.Result eval = ok("eval", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-k", 5);
    assertTrue(eval.stdout().contains("codebook z: perplexity"), eval::toString);
    assertTrue(eval.stdout().contains("reconstruction squared error per example"), eval::toString);
    Path png = dir.resolve("s.png");
    ok("sample", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-n", 4, "-o", png);
    assertTrue(Files.isRegularFile(png));
  }

  @Test
  void resumeWithEmaAndRestartsContinuesBitForBit() {
    Path r = dir.resolve("resumed");
    ok("run", model, "--out", r, "--eval-samples", 5, "--epochs", 1);
    CliRunner.Result res = ok("run", model, "--out", r, "--eval-samples", 5, "--epochs", 2, "--resume");
    assertTrue(res.stdout().contains("resuming"), res::toString);
    Checkpoint resumed = CheckpointIO.read(r.resolve("checkpoint.vaeckpt"));
    Checkpoint direct = CheckpointIO.read(baseline.resolve("checkpoint.vaeckpt"));
    assertEquals(direct.step(), resumed.step());
    assertArrayEquals(direct.params(), resumed.params());
    assertEquals(numbers(CliRunner.metricsText(baseline), "train_neg_elbo"), numbers(CliRunner.metricsText(r), "train_neg_elbo"));
  }
}
