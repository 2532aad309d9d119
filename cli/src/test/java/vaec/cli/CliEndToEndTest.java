package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.numbers;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.rawNumber;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.cli.pictures.ImageGrid;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * The vaec command end to end on a tiny model: training writes a checkpoint, metrics and
 * pictures; runs are deterministic and resume exactly; eval and sample read the checkpoint.
 * The model's mistakes are covered in {@link CliErrorTest}.
 */
class CliEndToEndTest {
  @TempDir static Path dir;

  static Path csv;
  static Path model;
  /** A straight two-epoch run with seed 0, shared by the tests that only read it. */
  static Path baseline;
  static CliRunner.Result baselineRun;

  @BeforeAll
  static void trainBaseline() {
    System.setProperty("java.awt.headless", "true");
    csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    baseline = dir.resolve("baseline");
    baselineRun = ok("run", model, "--out", baseline, "--eval-samples", 20);
  }

  @Test
  void runWritesCheckpointMetricsAndPictures() throws IOException {
    assertTrue(Files.isRegularFile(baseline.resolve("checkpoint.vaeckpt")));
    for (String png : List.of("loss.png", "samples.png", "reconstructions.png", "latents.png", "interpolation.png")) {
      assertPng(baseline.resolve(png));
    }
    assertTrue(baselineRun.stdout().contains("test log p(x)"), baselineRun::toString);
    CliRunner.assertNoStackTrace(baselineRun);

    String json = CliRunner.metricsText(baseline);
    assertEquals(2, number(json, "epochs"));
    assertEquals(20, number(json, "eval_samples"));
    double negElbo = number(json, "test_neg_elbo");
    double logPx = number(json, "test_log_px");
    assertTrue(Double.isFinite(negElbo) && negElbo > 0, json);
    assertTrue(Double.isFinite(logPx) && logPx < 0, json);
    // -ELBO = reconstruction + KL, and the KL of a Gaussian guide from the prior is not negative.
    assertEquals(negElbo, number(json, "test_reconstruction") + number(json, "test_kl"), 1e-5, json);
    assertTrue(number(json, "test_kl") >= 0, json);
    // The importance-sampled bound is at least as tight as the ELBO (on average; K = 20 here).
    assertTrue(logPx >= -negElbo - 1.0, () -> "log p(x) " + logPx + " vs -ELBO " + negElbo);

    List<Double> train = numbers(json, "train_neg_elbo");
    List<Double> test = numbers(json, "test_neg_elbo_per_epoch");
    assertEquals(2, train.size(), json);
    assertEquals(2, test.size(), json);
    assertTrue(train.stream().allMatch(d -> Double.isFinite(d) && d > 0), json);
    // It learns: both losses fall from the first epoch to the second.
    assertTrue(train.get(1) < train.get(0), json);
    assertTrue(test.get(1) < test.get(0), json);
    // The final evaluation is the last epoch's test evaluation (same parameters, same noise).
    assertEquals(test.get(1), negElbo, 1e-6, json);

    // The checkpoint records where the run ended: 72 training rows (8 held out) in batches of 8.
    Checkpoint c = CheckpointIO.read(baseline.resolve("checkpoint.vaeckpt"));
    assertEquals(2, c.epoch());
    assertEquals(2 * 72 / 8, c.step());
    assertTrue(c.modelFile().endsWith("tiny.vae"), c.modelFile());
  }

  @Test
  void sameSeedGivesIdenticalResultsAndAnotherSeedDoesNot() {
    Path again = dir.resolve("again");
    ok("run", model, "--out", again, "--eval-samples", 20);
    String a = CliRunner.metricsText(baseline);
    String b = CliRunner.metricsText(again);
    for (String key : List.of("test_neg_elbo", "test_reconstruction", "test_kl", "test_log_px")) {
      assertEquals(rawNumber(a, key), rawNumber(b, key), key);
    }
    assertEquals(numbers(a, "train_neg_elbo"), numbers(b, "train_neg_elbo"));
    assertArrayEquals(CheckpointIO.read(baseline.resolve("checkpoint.vaeckpt")).params(),
        CheckpointIO.read(again.resolve("checkpoint.vaeckpt")).params());

    Path other = dir.resolve("seed1");
    ok("run", model, "--out", other, "--eval-samples", 20, "--seed", 1);
    assertNotEquals(rawNumber(a, "test_neg_elbo"), rawNumber(CliRunner.metricsText(other), "test_neg_elbo"));
  }

  @Test
  void resumeContinuesTheRunExactly() {
    Path r = dir.resolve("resumed");
    ok("run", model, "--out", r, "--eval-samples", 20, "--epochs", 1);
    assertEquals(1, number(CliRunner.metricsText(r), "epochs"));
    assertEquals(1, CheckpointIO.read(r.resolve("checkpoint.vaeckpt")).epoch());

    CliRunner.Result res = ok("run", model, "--out", r, "--eval-samples", 20, "--epochs", 2, "--resume");
    assertTrue(res.stdout().contains("resuming"), res::toString);
    String json = CliRunner.metricsText(r);
    String straight = CliRunner.metricsText(baseline);
    assertEquals(2, number(json, "epochs"));
    assertEquals(number(straight, "test_neg_elbo"), number(json, "test_neg_elbo"), 1e-4);
    assertEquals(number(straight, "test_log_px"), number(json, "test_log_px"), 1e-4);
    // The loss history carries over: both epochs' numbers, as in the straight run.
    assertEquals(numbers(straight, "train_neg_elbo"), numbers(json, "train_neg_elbo"));
    assertEquals(numbers(straight, "test_neg_elbo_per_epoch"), numbers(json, "test_neg_elbo_per_epoch"));
    // Exact resume: the same parameters bit for bit.
    Checkpoint resumed = CheckpointIO.read(r.resolve("checkpoint.vaeckpt"));
    Checkpoint direct = CheckpointIO.read(baseline.resolve("checkpoint.vaeckpt"));
    assertEquals(direct.step(), resumed.step());
    assertArrayEquals(direct.params(), resumed.params());
    // Resuming a finished run trains no further and reports the same numbers.
    ok("run", model, "--out", r, "--eval-samples", 20, "--epochs", 2, "--resume");
    assertEquals(rawNumber(json, "test_neg_elbo"), rawNumber(CliRunner.metricsText(r), "test_neg_elbo"));
  }

  @Test
  void freshRunKeepsTheEarlierCheckpointAside() {
    Path r = dir.resolve("twice");
    ok("run", model, "--out", r, "--eval-samples", 5, "--epochs", 1);
    ok("run", model, "--out", r, "--eval-samples", 5, "--epochs", 1, "--seed", 3);
    assertEquals(1, CheckpointIO.read(r.resolve("checkpoint.previous.vaeckpt")).epoch());
    assertEquals(3, CheckpointIO.read(r.resolve("checkpoint.vaeckpt")).seed());
  }

  @Test
  void zeroEpochsEvaluatesTheInitialisationAndLeavesACheckpoint() {
    Path r = dir.resolve("untrained");
    CliRunner.Result res = ok("run", model, "--out", r, "--eval-samples", 5, "--epochs", 0);
    Checkpoint c = CheckpointIO.read(r.resolve("checkpoint.vaeckpt"));
    assertEquals(0, c.epoch());
    assertEquals(0, c.step());
    assertTrue(Double.isFinite(number(CliRunner.metricsText(r), "test_neg_elbo")), res::toString);
    ok("eval", model, "--checkpoint", r.resolve("checkpoint.vaeckpt"), "--samples", 3);
  }

  @Test
  void evalReportsTheSameElboAsTheRunAndALogLikelihood() {
    CliRunner.Result r = ok("eval", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "--samples", 10);
    assertTrue(r.stdout().contains("test log p(x)"), r::toString);
    assertTrue(r.stdout().contains("checkpoint at epoch 2, step 18"), r::toString);
    CliRunner.assertNoStackTrace(r);
    double negElbo = firstNumberAfter(r.stdout(), "test -ELBO ");
    double logPx = firstNumberAfter(r.stdout(), "test log p(x) ~ ");
    double runNegElbo = number(CliRunner.metricsText(baseline), "test_neg_elbo");
    // Evaluation noise comes from a fixed stream, so eval repeats the run's number (printed to 3 decimals).
    assertEquals(runNegElbo, negElbo, 0.0006, r::toString);
    assertTrue(Double.isFinite(logPx) && logPx >= -negElbo - 1.0, r::toString);
    // And eval itself is deterministic.
    CliRunner.Result again = ok("eval", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "--samples", 10);
    assertEquals(r.stdout(), again.stdout());
  }

  @Test
  void sampleWritesAPngGrid() throws IOException {
    Path png = dir.resolve("grid/samples.png");
    CliRunner.Result r = ok("sample", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-n", 9, "-o", png);
    CliRunner.assertNoStackTrace(r);
    BufferedImage img = assertPng(png);
    // Nine 4 x 4 samples in 3 columns and 3 rows, each pixel drawn 2 x 2, with gaps between.
    assertEquals(3 * 4 * 2 + 2 * ImageGrid.GAP, img.getWidth());
    assertEquals(3 * 4 * 2 + 2 * ImageGrid.GAP, img.getHeight());
  }

  @Test
  void sampleWritesCsvRowsOfLikelihoodMeans() throws IOException {
    Path out = dir.resolve("samples.csv");
    ok("sample", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-n", 5, "-o", out, "--seed", 7);
    List<String> lines = Files.readAllLines(out);
    assertEquals(5, lines.size());
    for (String line : lines) {
      String[] cells = line.split(",");
      assertEquals(TinyModel.WIDTH, cells.length, line);
      for (String cell : cells) {
        double v = Double.parseDouble(cell);
        assertTrue(v >= 0 && v <= 1, () -> "a Bernoulli mean outside [0, 1]: " + line);
      }
    }
    // Same seed, same samples; another seed, other samples.
    Path same = dir.resolve("samples-same.csv");
    Path other = dir.resolve("samples-other.csv");
    ok("sample", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-n", 5, "-o", same, "--seed", 7);
    ok("sample", model, "--checkpoint", baseline.resolve("checkpoint.vaeckpt"), "-n", 5, "-o", other, "--seed", 8);
    assertEquals(lines, Files.readAllLines(same));
    assertNotEquals(lines, Files.readAllLines(other));
  }

  @Test
  void compileEmitsTheGraphs() {
    Path emit = dir.resolve("graphs");
    CliRunner.Result r = ok("compile", model, "--emit", emit);
    assertFalse(r.stdout().isBlank(), r::toString);
    for (String g : List.of("train", "log_weight", "prior_sample", "reconstruct")) {
      assertTrue(Files.isRegularFile(emit.resolve(g + ".txt")), g);
      assertTrue(Files.isRegularFile(emit.resolve(g + ".dot")), g);
    }
  }

  static BufferedImage assertPng(Path file) throws IOException {
    assertTrue(Files.isRegularFile(file), () -> file + " was not written");
    byte[] bytes = Files.readAllBytes(file);
    byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assertArrayEquals(magic, Arrays.copyOf(bytes, 8), () -> file + " is not a PNG");
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotNull(img, () -> file + " does not decode");
    return img;
  }

  static double firstNumberAfter(String text, String prefix) {
    Matcher m = Pattern.compile(Pattern.quote(prefix) + "([-+0-9.eE]+)").matcher(text);
    assertTrue(m.find(), () -> "no \"" + prefix + "NUMBER\" in:\n" + text);
    return Double.parseDouble(m.group(1));
  }

  static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
