package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * The vaec command's answers to mistakes: user errors exit 1 with a message that names the file
 * or value and no stack trace; bad flags exit 2 with the usage; a run whose numbers go non-finite
 * stops with the model line at fault.
 */
class CliErrorTest {
  @TempDir static Path dir;

  static Path csv;
  static Path model;
  static String text;
  /** A checkpoint trained one epoch from {@link #model}. */
  static Path checkpoint;

  @BeforeAll
  static void setUp() {
    System.setProperty("java.awt.headless", "true");
    csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    text = TinyModel.text(csv);
    model = TinyModel.write(dir.resolve("tiny.vae"), text);
    Path out = dir.resolve("trained");
    ok("run", model, "--out", out, "--epochs", 1, "--eval-samples", 2);
    checkpoint = out.resolve("checkpoint.vaeckpt");
  }

  private static Object[] args(Object... a) { return a; }

  private static Path variant(String name, String from, String to) {
    return TinyModel.write(dir.resolve(name), TinyModel.variant(text, from, to));
  }

  // ---- the environment ----

  @Test
  void aBadEnvironmentSettingStopsTheRunBeforeItReadsAnything() {
    Path out = dir.resolve("o-env");
    CliRunner.Result r = CliRunner.runWith(java.util.Map.of("VAEC_PROFILE", "yes"), "run", model, "--out", out);
    assertEquals(1, r.exit(), r::toString);
    assertTrue(r.err().contains("VAEC_PROFILE is 'yes': expected 1"), r::toString);
    assertFalse(r.stdout().contains("training"), () -> "the run began before the check\n" + r);
    assertFalse(java.nio.file.Files.exists(out), "the run made its output folder");
    assertFalse(r.all().contains("at vaec."), r::toString);
  }

  // ---- the model file ----

  @Test
  void missingModelFile() {
    Path none = dir.resolve("nowhere.vae");
    userError(args("run", none), "model file not found", none.toString());
    userError(args("eval", none, "--checkpoint", checkpoint), "model file not found", none.toString());
    userError(args("compile", none), "model file not found", none.toString());
  }

  @Test
  void syntaxErrorIsReportedAtItsLineAndColumnWithACaret() {
    Path bad = variant("syntax.vae", "latent z : real[2]", "latent z real[2]");
    CliRunner.Result r = userError(args("run", bad, "--out", dir.resolve("o-syntax")), bad + ":4:10: error:");
    assertTrue(r.err().contains(" 4 | latent z real[2]"), r::toString);
    assertTrue(Pattern.compile("(?m)^\\s+\\|\\s+\\^+").matcher(r.err()).find(), () -> "no caret line\n" + r);
    assertFalse(Files.exists(dir.resolve("o-syntax")), "nothing is written for a model that does not compile");
  }

  @Test
  void unknownNetworkSuggestsTheNearestName() {
    Path bad = variant("typo.vae", "logits = decoder(z)", "logits = decodr(z)");
    userError(args("run", bad), bad + ":16:", "'decodr'", "did you mean 'decoder'");
  }

  @Test
  void decoderWidthMustMatchTheData() {
    Path bad = variant("width.vae", "MLP(2 -> 8 -> 16", "MLP(2 -> 8 -> 15");
    userError(args("run", bad), bad + ":16:", "shape mismatch", "15", "16");
  }

  @Test
  void aLatentWithAPriorNeedsAGuide() {
    Path bad = variant("noguide.vae", "  z ~ Normal(mu, exp(0.5 * log_var))\n", "");
    userError(args("run", bad), bad + ":", "latent 'z' has a prior but no guide");
  }

  @Test
  void priorScaleMustBePositive() {
    Path bad = variant("negscale.vae", "prior z ~ Normal(0, 1)", "prior z ~ Normal(0, -1)");
    userError(args("run", bad), bad + ":9:", "scale", "must be positive", "-1");
  }

  @Test
  void bernoulliNeedsDataDeclaredInTheUnitInterval() {
    Path bad = variant("unbounded.vae", "x : real[16] in [0, 1]", "x : real[16]");
    userError(args("run", bad), bad + ":16:", "Bernoulli", "'x' is declared real");
  }

  // ---- the data ----

  private static Path csvWith(String name, int row, int column, String value) {
    List<String> lines = new ArrayList<>(TinyModel.csvLines(TinyModel.rows()));
    String[] cells = lines.get(row - 1).split(",");
    cells[column - 1] = value;
    lines.set(row - 1, String.join(",", cells));
    return TinyModel.writeLines(dir.resolve(name), lines);
  }

  @Test
  void valueOutsideTheDeclaredRangeNamesFileRowAndColumn() {
    Path bad = csvWith("outside.csv", 5, 4, "2.0");
    userError(args("run", model, "--dataset", bad, "--out", dir.resolve("o-outside")), bad.toString(), "row 5, column 4", "2.0",
        "x : real[16] in [0, 1]");
  }

  @Test
  void valueOutsideTheRangeInTheHeldOutRowsNamesItsRowInTheFile() {
    // The last 8 of 80 rows are held out for testing; row 78 is the sixth of them.
    Path bad = csvWith("outside-test.csv", 78, 4, "2.0");
    userError(args("run", model, "--dataset", bad, "--out", dir.resolve("o-outside-test")), bad.toString(), "row 78, column 4");
  }

  @Test
  void csvOfTheWrongWidth() {
    List<String> narrow = new ArrayList<>();
    for (String l : TinyModel.csvLines(TinyModel.rows())) narrow.add(l.substring(0, l.lastIndexOf(',')));
    Path bad = TinyModel.writeLines(dir.resolve("narrow.csv"), narrow);
    userError(args("run", model, "--dataset", bad), bad.toString(), "15 values", "real[16]");

    List<String> ragged = new ArrayList<>(TinyModel.csvLines(TinyModel.rows()));
    ragged.set(10, narrow.get(10));
    Path bad2 = TinyModel.writeLines(dir.resolve("ragged.csv"), ragged);
    userError(args("run", model, "--dataset", bad2), bad2 + ":11:", "15 values");
  }

  @Test
  void missingDataFile() {
    Path none = dir.resolve("missing.csv");
    userError(args("run", model, "--dataset", none), none.toString());
  }

  // ---- checkpoints ----

  @Test
  void corruptCheckpoint() throws IOException {
    byte[] bytes = Files.readAllBytes(checkpoint);
    bytes[bytes.length / 2] ^= 0x10;
    Path bad = dir.resolve("corrupt.vaeckpt");
    Files.write(bad, bytes);
    userError(args("eval", model, "--checkpoint", bad, "--samples", 2), bad.toString(), "corrupt");
    userError(args("sample", model, "--checkpoint", bad, "-o", dir.resolve("s.png")), bad.toString(), "corrupt");

    Path notOne = TinyModel.write(dir.resolve("text.vaeckpt"), "hello");
    userError(args("eval", model, "--checkpoint", notOne), notOne.toString(), "not a vaec checkpoint");
  }

  @Test
  void checkpointOfADifferentModelText() {
    Path edited = TinyModel.write(dir.resolve("edited.vae"), "// one more comment line\n" + text);
    userError(args("eval", edited, "--checkpoint", checkpoint, "--samples", 2), checkpoint.toString(), "different model",
        edited.toString());
  }

  @Test
  void missingCheckpoint() {
    Path none = dir.resolve("none/checkpoint.vaeckpt");
    userError(args("eval", model, "--checkpoint", none), "no checkpoint at " + none);
    userError(args("sample", model, "--checkpoint", none), "no checkpoint at " + none);
  }

  @Test
  void resumeWithoutACheckpoint() {
    Path empty = dir.resolve("empty-run");
    userError(args("run", model, "--out", empty, "--resume"), "--resume", "no checkpoint", empty.toString());
  }

  @Test
  void resumeWithAnotherBatchSizeIsRefused() throws IOException {
    // The trainer finds its place in an epoch from the step count, which only fits the batch
    // size it was trained with (this used to be an index out of bounds, or a silently skipped epoch).
    Path r = dir.resolve("rebatch");
    Files.createDirectories(r);
    Files.copy(checkpoint, r.resolve("checkpoint.vaeckpt"));
    userError(args("run", model, "--out", r, "--resume", "--batch", 4), "--resume", "batch 4");
    userError(args("run", model, "--out", r, "--resume", "--batch", 16), "--resume", "batch 16");
    assertEquals(1, CheckpointIO.read(r.resolve("checkpoint.vaeckpt")).epoch(), "the checkpoint is left as it was");
  }

  // ---- flags ----

  @Test
  void badFlagValues() {
    userError(args("run", model, "--lr", -1, "--out", dir.resolve("o-lr")), "--lr", "-1");
    userError(args("run", model, "--lr", 0, "--out", dir.resolve("o-lr")), "--lr");
    userError(args("run", model, "--batch", 0), "--batch", "0");
    userError(args("run", model, "--epochs", -1), "--epochs", "-1");
    userError(args("run", model, "--optimizer", "rmsprop"), "--optimizer", "rmsprop");
    userError(args("run", model, "--eval-samples", 0), "--eval-samples");
    userError(args("eval", model, "--checkpoint", checkpoint, "--samples", 0), "--samples");
    userError(args("sample", model, "--checkpoint", checkpoint, "-n", 0), "--count", "0");
  }

  @Test
  void unknownFlagPrintsUsageAndExits2() {
    CliRunner.Result r = CliRunner.run("run", model, "--frobnicate");
    assertEquals(2, r.exit(), r::toString);
    assertTrue(r.err().contains("--frobnicate"), r::toString);
    assertTrue(r.err().contains("Usage:"), r::toString);
    CliRunner.assertNoStackTrace(r);
    // The usage text formats cleanly (a bare % in an option's description made picocli warn).
    assertFalse(r.all().contains("WARN"), r::toString);
    assertTrue(r.err().contains("last 10% of"), r::toString);
  }

  @Test
  void missingFileOrCommandExits2() {
    CliRunner.Result r = CliRunner.run("run");
    assertEquals(2, r.exit(), r::toString);
    assertTrue(r.err().contains("FILE"), r::toString);
    assertTrue(r.err().contains("Usage:"), r::toString);

    CliRunner.Result none = CliRunner.run();
    assertEquals(2, none.exit(), none::toString);
    assertTrue(none.err().contains("name a command"), none::toString);

    CliRunner.Result unknown = CliRunner.run("trian", model);
    assertEquals(2, unknown.exit(), unknown::toString);
  }

  @Test
  void helpExits0() {
    CliRunner.Result r = CliRunner.run("run", "--help");
    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.out().contains("Usage:") && r.out().contains("--resume"), r::toString);
  }

  // ---- training that goes non-finite ----

  @Test
  void nonFiniteValueStopsTrainingAtTheGuideLine() {
    // exp(1000 * log_var) overflows (or underflows to a zero scale) for any initial log_var, so
    // the very first step fails, in the guide's sampling statement.
    Path bad = variant("overflow.vae", "exp(0.5 * log_var)", "exp(1000 * log_var)");
    Path out = dir.resolve("o-overflow");
    CliRunner.Result r = userError(args("run", bad, "--out", out, "--eval-samples", 2), "training stopped at step 1 (epoch 1)",
        bad + ":" + TinyModel.GUIDE_LINE + ":", "exp(1000 * log_var)");
    assertFalse(Files.exists(out.resolve("metrics.json")), "no metrics for a failed run");
    // Deterministic: the same failure, word for word.
    CliRunner.Result again = CliRunner.run("run", bad, "--out", out, "--eval-samples", 2);
    assertEquals(r.err(), again.err());
  }

  @Test
  void nonFiniteAfterAFinishedEpochKeepsThatEpochsCheckpoint() throws IOException {
    Path out = dir.resolve("o-blowup");
    Files.createDirectories(out);
    Path ckpt = out.resolve("checkpoint.vaeckpt");
    Files.copy(checkpoint, ckpt);
    // A learning rate of a million throws the parameters far enough in one Adam step that the
    // guide's exp(0.5 * log_var) overflows in the next.
    CliRunner.Result r = userError(args("run", model, "--out", out, "--resume", "--epochs", 2, "--lr", 1e6),
        "training stopped at step", "(epoch 2)", model + ":" + TinyModel.GUIDE_LINE + ":", ckpt.toString());
    assertTrue(r.err().contains("learning rate"), r::toString);

    Checkpoint c = CheckpointIO.read(ckpt);
    assertEquals(1, c.epoch());
    assertEquals(9, c.step());
    CliRunner.Result ev = ok("eval", model, "--checkpoint", ckpt, "--samples", 2);
    assertTrue(ev.stdout().contains("checkpoint at epoch 1, step 9"), ev::toString);
  }
}
