package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.ReplTest.assertContains;
import static vaec.cli.ReplTest.piped;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * REPL inputs an adversarial pass found to be mishandled (on the tiny model: 72 training rows,
 * batch 8, 9 steps per epoch); each test is one finding's reproducer.
 */
class ReplAdversarialTest {
  @TempDir static Path dir;
  static Path model;
  static Path csv;

  @BeforeAll
  static void files() {
    System.setProperty("java.awt.headless", "true");
    csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
  }

  @Test
  // Without the check the first line trains 2^31-1 epochs: a test thread of its own, failed at the limit.
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aCountBeyondWhatTrainingCountsIsRefusedNotCapped() {
    // Was: train 99999999999 was taken as 2147483647 epochs without a word.
    ReplTest.Session s = piped("""
        load %s
        train 99999999999
        train 99999999999 steps
        train 99999999999999999999999 epochs
        train 0 steps
        train 2 steps
        """.formatted(model));
    assertEquals(1, s.exit(), s.out());
    assertContains(s.out(), "error: train: 99999999999 epochs is out of range: the count must be between 1 and 2147483647\n");
    // 9 steps per epoch, and at most 2147483647 epochs: 19,327,352,823 steps.
    assertContains(s.out(), "error: train: 99999999999 steps is out of range: the count must be between 1 and 19327352823 (9 steps per epoch, "
        + "from epoch 0; a run ends at epoch 2147483647 at the latest)");
    assertContains(s.out(), "error: train: 99999999999999999999999 epochs is out of range: the count must be between 1 and 2147483647");
    assertContains(s.out(), "error: train: the count must be at least 1, got 0");
    assertContains(s.out(), "trained 2 steps: now at epoch 0, step 2");
    assertEquals(2, s.repl().state().step(), "only the good command trained\n" + s.out());
    CliRunner.assertNoStackTrace(new CliRunner.Result(s.exit(), s.out(), "", "", ""));
  }

  @Test
  void setDatasetTakesAPathAsTypedQuotedOrNot() throws IOException {
    // Was: set dataset /tmp/x/data.csv failed to parse ("a dataset is a name like mnist_digits or a file path in quotes").
    Path copy = dir.resolve("sub dir").resolve("copy.csv");
    Files.createDirectories(copy.getParent());
    Files.copy(csv, copy);
    ReplTest.Session s = piped("""
        load %s
        set dataset %s
        show train
        train 2 steps
        set dataset "%s"
        set test_dataset '%s'
        show train
        set
        train 1 step
        """.formatted(model, copy.toAbsolutePath(), csv.toAbsolutePath(), csv.toAbsolutePath()));
    assertEquals(0, s.exit(), s.out());
    assertContains(s.out(), "dataset = \"" + copy.toAbsolutePath() + "\"");
    assertContains(s.out(), "test_dataset = \"" + csv.toAbsolutePath() + "\"");
    assertContains(s.out(), "train: dataset " + csv.toAbsolutePath() + "; test_dataset " + csv.toAbsolutePath() + ";");
    assertEquals(3, s.repl().state().step(), s.out());
    // Names stay names; a keyword or a name with a dot is a path.
    assertEquals("mnist_digits", ReplTrainBlock.pathValue("mnist_digits"));
    assertEquals("\"data\"", ReplTrainBlock.pathValue("data"));
    assertEquals("\"digits.csv\"", ReplTrainBlock.pathValue("digits.csv"));
    assertEquals("\"a\\\\b \\\"c\\\".csv\"", ReplTrainBlock.pathValue("a\\b \"c\".csv"));
  }

  @Test
  void aBatchLargerThanTheDataIsCheckedAtTheBatchThatRuns() {
    // Was: "the model is too large for memory ... activations at batch 2147483647", though training runs the 72 rows as one batch.
    ReplTest.Session s = piped("load %s\nset batch 2147483647\ntrain 1 epoch\n".formatted(model));
    assertEquals(0, s.exit(), s.out());
    assertFalse(s.out().contains("too large for memory"), s.out());
    assertEquals(1, s.repl().state().step(), "one step of the whole training set\n" + s.out());
  }

  @Test
  void anInternalErrorInOneCommandLeavesTheSessionRunning() throws IOException {
    // Was: the exception left execute, ending the REPL with a stack trace and the session's state lost.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Repl repl = new Repl(out, false);
    boolean[] thrown = {false};
    repl.afterStep = step -> {
      if (step == 3 && !thrown[0]) {
        thrown[0] = true;
        throw new IllegalStateException("a bug forced by the test");
      }
    };
    String script = "load %s\ntrain 2 steps\ntrain 1 epoch\ntrain 2 steps\neval 5\n".formatted(model);
    int exit = ReplCommand.piped(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), out, null, repl);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(1, exit, text);
    assertContains(text, "error: internal error of vaec (a bug, not a mistake of yours) in 'train 1 epoch': "
        + "java.lang.IllegalStateException: a bug forced by the test\n");
    Matcher trace = Pattern.compile("the full trace is in (\\S+internal-error-1\\.txt); please report it with the trace\\.\nthe session goes on")
        .matcher(text);
    assertTrue(trace.find(), text);
    String written = Files.readString(Path.of(trace.group(1)));
    assertTrue(written.contains("IllegalStateException: a bug forced by the test") && written.contains("\tat vaec."), written);
    assertFalse(text.contains("\tat "), "no trace on the screen\n" + text);
    // The failed train put the parameters back; the next commands run on them.
    assertContains(text, "trained 2 steps: now at epoch 0, step 4");
    assertContains(text, "test log p(x) ~ ");
    assertEquals(4, repl.state().step());
  }
}
