package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * Inputs a hostile user found to get past the checks (session 7): each test is the reproducer of
 * one finding, and asserts the message that now names the value at fault, with the exit status
 * the README documents.
 */
class CliAdversarialTest {
  @TempDir static Path dir;

  static Path model;
  static String text;
  /** A checkpoint trained one epoch from {@link #model}. */
  static Path checkpoint;

  @BeforeAll
  static void setUp() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    text = TinyModel.text(csv);
    model = TinyModel.write(dir.resolve("tiny.vae"), text);
    Path out = dir.resolve("trained");
    ok("run", model, "--out", out, "--epochs", 1, "--eval-samples", 2);
    checkpoint = out.resolve("checkpoint.vaeckpt");
  }

  private static Object[] args(Object... a) { return a; }

  /** {@link #checkpoint} rewritten (with a valid checksum) with other parameters or optimizer state. */
  private static Path rewritten(String name, float[] params, Map<String, float[]> state) {
    Checkpoint c = CheckpointIO.read(checkpoint);
    Path p = dir.resolve(name);
    CheckpointIO.write(p, new Checkpoint(c.modelHash(), c.modelFile(), c.objective(), c.epoch(), c.step(), c.seed(), c.layout(),
        params != null ? params : c.params(), c.optimizer(), state != null ? state : c.optimizerState(), c.curves()));
    return p;
  }

  // ---- checkpoints whose checksum matches but whose values cannot be right ----

  @Test
  void aCheckpointWithFewerOrMoreValuesThanItsLayoutIsRefused() {
    // Was: exit 70, "internal error ... IllegalArgumentException: parameter count 339 != 340".
    float[] params = CheckpointIO.read(checkpoint).params();
    Path shorter = rewritten("short.vaeckpt", Arrays.copyOf(params, params.length - 1), null);
    userError(args("eval", model, "--checkpoint", shorter, "--samples", 2), shorter.toString(),
        "holds " + (params.length - 1) + " parameter values", "takes " + params.length, "damaged");
    Path longer = rewritten("long.vaeckpt", Arrays.copyOf(params, params.length + 1), null);
    userError(args("sample", model, "--checkpoint", longer, "-o", dir.resolve("s.csv")), longer.toString(),
        "holds " + (params.length + 1) + " parameter values");
  }

  @Test
  void aCheckpointHoldingNaNOrInfinityIsRefusedNamingTheTensor() {
    // Was: exit 0 and "test -ELBO NaN"; sample and encode wrote files of NaN.
    float[] params = CheckpointIO.read(checkpoint).params().clone();
    params[3] = Float.NaN;
    Path nan = rewritten("nan.vaeckpt", params, null);
    userError(args("eval", model, "--checkpoint", nan, "--samples", 2), nan.toString(), "parameter encoder.0.W [16, 8]",
        "holds NaN at flat index 3");
    userError(args("encode", model, "--checkpoint", nan, "-o", dir.resolve("e.csv")), "holds NaN");

    params = CheckpointIO.read(checkpoint).params().clone();
    params[params.length - 1] = Float.NEGATIVE_INFINITY;
    Path inf = rewritten("inf.vaeckpt", params, null);
    userError(args("sample", model, "--checkpoint", inf, "-o", dir.resolve("i.csv")), "parameter decoder.1.b [16]", "-Infinity");
  }

  @Test
  void finiteParametersThatOverflowInEvaluationAreAnErrorNotANumber() {
    // Was: exit 0 and "test -ELBO NaN" (a weight of 3e38 is finite, so the checkpoint's own checks pass).
    float[] params = CheckpointIO.read(checkpoint).params().clone();
    for (int i = 0; i < params.length; i++) params[i] = i % 2 == 0 ? 3e38f : -3e38f;
    Path huge = rewritten("huge.vaeckpt", params, null);
    CliRunner.Result r = userError(args("eval", model, "--checkpoint", huge, "--samples", 2), huge + ": the test objective is",
        "the evaluation overflowed", "parameter of largest magnitude", "3.00e+38");
    assertFalse(r.out().contains("log p(x)"), r::toString);
  }

  @Test
  void aCheckpointWithANaNAdamMomentIsRefusedBeforeResuming() {
    // Was: the run resumed and stopped a step later "in the objective [param encoder.0.W]",
    // blaming the model for the file's NaN.
    Map<String, float[]> state = new LinkedHashMap<>(CheckpointIO.read(checkpoint).optimizerState());
    float[] v = state.get("v").clone();
    v[7] = Float.NaN;
    state.put("v", v);
    Path bad = rewritten("nan-moment.vaeckpt", null, state);
    Path out = dir.resolve("resume-nan");
    assertTrue(out.toFile().mkdirs());
    Path inOut = out.resolve("checkpoint.vaeckpt");
    CheckpointIO.write(inOut, CheckpointIO.read(bad));
    CliRunner.Result r = userError(args("run", model, "--out", out, "--resume", "--epochs", 2, "--eval-samples", 2),
        "the optimizer's state 'v' holds NaN at index 7");
    assertFalse(r.all().contains("training stopped"), r::toString);
    assertEquals(1, CheckpointIO.read(inOut).epoch(), "the checkpoint is left as it was");
  }

  @Test
  void resumingACheckpointThatHasAllTheEpochsAskedForSaysThereIsNothingToTrain() {
    // Was: "resuming ... at epoch 2" then "training tiny ... 1 epochs", with no epoch line and no word why.
    Path out = dir.resolve("resume-done");
    ok("run", model, "--out", out, "--epochs", 2, "--eval-samples", 2);
    CliRunner.Result r = ok("run", model, "--out", out, "--resume", "--epochs", 1, "--eval-samples", 2);
    assertTrue(r.stdout().contains("nothing to train: the checkpoint has 2 epochs, and 1 are asked for"), r::toString);
    assertFalse(r.stdout().contains("epoch   2/"), r::toString);
    assertEquals(2, CheckpointIO.read(out.resolve("checkpoint.vaeckpt")).epoch(), "the checkpoint is left at its epoch");
  }

  // ---- the REPL ----

  @Test
  void inspectSplitWithAZeroOrNegativeSizeIsAMistakeAndTheSessionGoesOn() {
    // Was: "inspect split(e, -1, 5)" ended the session with an internal error (exit 70,
    // IllegalArgumentException: 0 > -1), and "split(e, 0, 4)" printed an empty part as
    // "min Infinity  max -Infinity".
    ReplTest.Session s = ReplTest.piped("""
        load %s
        inspect split(encoder(x), -1, 5)
        inspect split(encoder(x), 0, 4)
        inspect split(x[0])
        inspect split(encoder(x), 1, 3)
        """.formatted(model));
    assertEquals(1, s.exit(), s.out());
    ReplTest.assertContains(s.out(), "error: split sizes must be at least 1, got -1 in [-1, 5]");
    ReplTest.assertContains(s.out(), "error: split sizes must be at least 1, got 0 in [0, 4]");
    ReplTest.assertContains(s.out(), "error: split: x[0] has width 1, which cannot be split into two parts");
    assertFalse(s.out().contains("Infinity"), s.out());
    // The session went on to the last line, which works.
    ReplTest.assertContains(s.out(), "part 2 [1:4]: shape [8, 3]");
  }

  // ---- flags ----

  /** A bad flag: exit 2, each fragment on the err writer with the usage, no stack trace. */
  private static CliRunner.Result badFlag(Object[] args, String... fragments) {
    CliRunner.Result r = CliRunner.run(args);
    assertEquals(2, r.exit(), () -> "expected exit 2 (bad flag) of " + Arrays.toString(args) + "\n" + r);
    for (String f : fragments) assertTrue(r.err().contains(f), () -> "err lacks \"" + f + "\"\n" + r);
    assertTrue(r.err().contains("Usage:"), r::toString);
    CliRunner.assertNoStackTrace(r);
    return r;
  }

  @Test
  void anEmptyPathFlagIsABadFlagAndWritesNothingIntoTheWorkingDirectory() {
    // Was: "run --out ''" trained and wrote checkpoint.vaeckpt, metrics.json and the pictures into
    // the working directory; "compile --emit ''" wrote the graphs there; "-o ''", "--checkpoint ''"
    // and "--metrics-json ''" said ": Is a directory"; "--dataset ''" said " is a directory".
    Path cwd = Path.of("").toAbsolutePath();
    badFlag(args("run", model, "--epochs", 1, "--out", ""), "Invalid value for option '--out': the path is empty");
    badFlag(args("compile", model, "--emit", ""), "option '--emit': the path is empty");
    badFlag(args("sample", model, "--checkpoint", checkpoint, "-o", ""), "option '--output': the path is empty");
    badFlag(args("eval", model, "--checkpoint", ""), "option '--checkpoint': the path is empty");
    badFlag(args("run", model, "--epochs", 1, "--metrics-json", "", "--out", dir.resolve("o-mj")), "option '--metrics-json'");
    badFlag(args("compile", ""), "(FILE): the path is empty");
    badFlag(args("run", model, "--dataset", "", "--out", dir.resolve("o-ds")), "option '--dataset': it is empty");
    badFlag(args("encode", model, "--checkpoint", checkpoint, "--test-dataset", " "), "option '--test-dataset': it is empty");
    for (String f : new String[] {"checkpoint.vaeckpt", "metrics.json", "train.dot", "samples.png"}) {
      assertFalse(java.nio.file.Files.exists(cwd.resolve(f)), "wrote " + f + " into the working directory " + cwd);
    }
  }

  @Test
  void aMetricsFileThatCannotBeWrittenStopsTheRunBeforeTraining() {
    // Was: the whole run trained and evaluated, then exit 1 "cannot write metrics to DIR: DIR:
    // Is a directory" at the very end.
    Path folder = dir.resolve("a-folder");
    assertTrue(folder.toFile().mkdirs());
    CliRunner.Result r = userError(args("run", model, "--epochs", 1, "--eval-samples", 2, "--out", dir.resolve("o-m1"),
        "--metrics-json", folder), "--metrics-json " + folder + " is a folder; name a file");
    assertFalse(r.stdout().contains("epoch"), "it trained first\n" + r);

    Path file = TinyModel.write(dir.resolve("a-file"), "x");
    r = userError(args("run", model, "--epochs", 1, "--eval-samples", 2, "--out", dir.resolve("o-m2"),
        "--metrics-json", file.resolve("m.json")), "cannot create its folder " + file, "a file of that name exists");
    assertFalse(r.stdout().contains("epoch"), "it trained first\n" + r);

    // A folder that does not exist yet is made, as before.
    Path later = dir.resolve("new/sub/m.json");
    ok("run", model, "--epochs", 1, "--eval-samples", 2, "--out", dir.resolve("o-m3"), "--metrics-json", later);
    assertTrue(java.nio.file.Files.isRegularFile(later));
  }

  @Test
  void sampleWritesOnlyTheFormatItsOutputNameSays() throws java.io.IOException {
    // Was: "-o s.jpg" or "-o s" got PNG bytes, "-o s.CSV" a PNG too (the test was case-sensitive),
    // and a model whose data are not square pictures wrote CSV text into "-o s.png".
    userError(args("sample", model, "--checkpoint", checkpoint, "-o", dir.resolve("s.jpg")),
        "s.jpg: the output is a .png file (a grid of pictures) or a .csv file");
    userError(args("sample", model, "--checkpoint", checkpoint, "-o", dir.resolve("s")), "the output is a .png file");
    assertFalse(java.nio.file.Files.exists(dir.resolve("s.jpg")));
    Path upper = dir.resolve("s.CSV");
    ok("sample", model, "--checkpoint", checkpoint, "-n", 3, "-o", upper);
    assertEquals(3, java.nio.file.Files.readAllLines(upper).size(), "CSV rows");
    ok("sample", model, "--checkpoint", checkpoint, "-n", 3, "-o", dir.resolve("s.PNG"));
    CliEndToEndTest.assertPng(dir.resolve("s.PNG"));

    // 15 values per example are no square picture: samples are rows of CSV only.
    Path narrow = TinyModel.write(dir.resolve("narrow.vae"), TinyModel.variant(TinyModel.variant(TinyModel.variant(text,
        "real[16] in [0, 1]", "real[15] in [0, 1] from columns[0:15]"), "MLP(16 ->", "MLP(15 ->"), "-> 8 -> 16", "-> 8 -> 15"));
    Path out = dir.resolve("narrow-run");
    ok("run", narrow, "--out", out, "--epochs", 1, "--eval-samples", 2);
    userError(args("sample", narrow, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "-o", dir.resolve("n.png")),
        "n.png: tiny's samples of x are not square pictures", "name a .csv file");
    assertFalse(java.nio.file.Files.exists(dir.resolve("n.png")));
  }

  @Test
  void encodeRefusesTheFlagsItWouldIgnore() {
    // Was: "encode --batch 3" and "encode --eval-samples 3" exited 0 and changed nothing, though
    // TrainingOptions refuses every flag a command ignores.
    userError(args("encode", model, "--checkpoint", checkpoint, "--batch", 3, "-o", dir.resolve("e1.csv")),
        "--batch has no effect on vaec encode (--batch applies to vaec run and vaec variance)");
    userError(args("encode", model, "--checkpoint", checkpoint, "--eval-samples", 3, "-o", dir.resolve("e2.csv")),
        "--eval-samples has no effect on vaec encode (--eval-samples applies to vaec run and vaec eval)");
    ok("encode", model, "--checkpoint", checkpoint, "-o", dir.resolve("e3.csv"));
  }

  @Test
  void inspectNamesAnUnmatchedBracketWhereItStands() {
    // Was: "inspect encoder(x))" answered "repl:2:20: error: unexpected ','" with the caret past
    // the end of the line: the expression is compiled inside "Normal(EXPR, 1)", whose ',' the
    // parser met after the user's extra ')'.
    ReplTest.Session s = ReplTest.piped("""
        load %s
        inspect encoder(x))
        inspect x[0]]
        inspect x, 1
        inspect concat(x, x)
        """.formatted(model));
    assertEquals(1, s.exit(), s.out());
    ReplTest.assertContains(s.out(), "repl:2:19: error: unexpected ')': it closes no '('\n 2 | inspect encoder(x))\n   |                   ^\n");
    ReplTest.assertContains(s.out(), "repl:3:13: error: unexpected ']': it closes no '['");
    ReplTest.assertContains(s.out(), "repl:4:10: error: inspect takes one expression; a ',' outside brackets ends it");
    assertFalse(s.out().contains("unexpected ','"), s.out());
    ReplTest.assertContains(s.out(), "concat(x, x): shape [8, 32]");
  }

  @Test
  void replLoadNamesAFolderOrADataFileAsWhatItIs() {
    // Was: "load DIR" and "load data.csv" before any model answered "no model yet: load a file".
    Path csv = dir.resolve("data.csv");
    ReplTest.Session s = ReplTest.piped("""
        load %s
        load %s
        load %s
        """.formatted(dir, csv, model));
    assertEquals(1, s.exit(), s.out());
    ReplTest.assertContains(s.out(), "error: " + dir + " is a folder; load reads a model file (.vae) or a checkpoint (.vaeckpt)");
    ReplTest.assertContains(s.out(), "error: " + csv + " is not a vaec checkpoint");
    assertFalse(s.out().contains("no model yet"), s.out());
    ReplTest.assertContains(s.out(), "model tiny compiled");
  }

  @Test
  void aBatchLargerThanTheTrainingSetIsCheckedAtTheBatchThatRuns() {
    // Was: "--batch 2147483647" on the 72 training examples was refused: "the model is too large for
    // memory: ... training needs about 1.2 TiB ... activations at batch 2147483647", though training
    // runs the 72 examples as one batch.
    CliRunner.Result r = ok("run", model, "--out", dir.resolve("whole-batch"), "--epochs", 1, "--batch", Integer.MAX_VALUE, "--eval-samples", 2);
    assertTrue(r.stdout().contains("72 training and 8 test examples, batch 72, 1 epochs"), r::toString);
    CliRunner.Result v = ok("variance", model, "--batch", Integer.MAX_VALUE, "--steps", 2);
    assertTrue(v.stdout().contains("2 steps of batch 72"), v::toString);
    // vaec compile reads no data: its estimate is at the batch as written.
    CliRunner.Result c = ok("compile", model);
    assertTrue(c.stdout().contains("activations at batch 8 "), c::toString);
  }

  @Test
  void evalSampleAndEncodeCheckTheMemoryOfAnEvaluationPassNotOfTheWrittenBatch() {
    // Was: a model written with batch = 2147483647 trained (on its 72 examples, as one batch of 72),
    // but eval, sample and encode of its checkpoint were refused: "the model is too large for
    // memory: ... training needs about 1.2 TiB ... activations at batch 2147483647", though none of
    // them trains and each evaluates in passes of bounded size.
    Path big = TinyModel.write(dir.resolve("bigbatch.vae"), text.replace("batch   = 8", "batch   = 2147483647"));
    Path out = dir.resolve("bigbatch");
    ok("run", big, "--out", out, "--epochs", 1, "--eval-samples", 2);
    Path ckpt = out.resolve("checkpoint.vaeckpt");
    CliRunner.Result e = ok("eval", big, "--checkpoint", ckpt, "--samples", 2);
    assertTrue(e.stdout().contains("test -ELBO"), e::toString);
    ok("sample", big, "--checkpoint", ckpt, "-o", dir.resolve("big-samples.csv"));
    ok("encode", big, "--checkpoint", ckpt, "-o", dir.resolve("big-codes.csv"));
    // vaec compile still states what training at the written batch would need.
    CliRunner.Result c = ok("compile", big);
    assertTrue(c.stdout().contains("activations at batch 2147483647 "), c::toString);
  }

  @Test
  void anEvaluationTooLargeForMemoryIsRefusedWithTheEvaluationsNeeds() {
    vaec.runtime.model.CompiledModel m = vaec.compiler.Compiler.compile(new vaec.compiler.SourceFile("tiny.vae", text)).compiled();
    var needs = vaec.runtime.model.MemoryEstimate.forEvaluation(m, vaec.runtime.train.Evaluator.evaluationGraphs(m),
        vaec.runtime.train.Evaluator.rowsPerPass(m));
    assertEquals(m.params().stream().mapToLong(p -> java.util.Arrays.stream(p.shape()).reduce(1, Math::multiplyExact)).sum(),
        needs.parameters());
    assertTrue(needs.activationBytes() > 0 && needs.activationBytes() <= (256L << 20), needs::describe);
    vaec.runtime.UserError err = org.junit.jupiter.api.Assertions.assertThrows(vaec.runtime.UserError.class,
        () -> needs.require(new vaec.runtime.model.MemoryEstimate.Available(needs.totalBytes() - 1, "the test's limit")));
    assertTrue(err.getMessage().contains("evaluation needs about"), err::getMessage);
    assertTrue(err.getMessage().contains("activations of a pass of " + needs.batch() + " rows"), err::getMessage);
  }
}
