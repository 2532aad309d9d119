package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REPL driven through piped input and through JLine's dumb terminal on the tiny model (72
 * training rows, batch 8: 9 steps per epoch; 8 test rows).
 */
class ReplTest {
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void files() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
  }

  record Session(int exit, String out, Repl repl) {}

  static Session piped(String script) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Repl repl = new Repl(out, false);
    int exit;
    try {
      exit = ReplCommand.piped(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), out, null, repl);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return new Session(exit, bytes.toString(StandardCharsets.UTF_8), repl);
  }

  static void assertContains(String text, String fragment) {
    assertTrue(text.contains(fragment), () -> "the output lacks \"" + fragment + "\":\n" + text);
  }

  static float[] param(Repl repl, String name) {
    return repl.state().params().value(name).dup().reshape(-1).toFloatVector();
  }

  @Test
  void loadTrainEvaluateAndInspect() {
    Session s = piped("""
        // a comment line
        load %s
        train 1 epoch   // a comment after a command
        eval 20
        inspect encoder(x)
        inspect split(encoder(x))
        inspect guide z
        inspect kl
        loss
        inspect decodr(z)
        inspect split(log_var + bad)
        """.formatted(model));
    assertEquals(1, s.exit(), "the last two lines fail\n" + s.out());
    assertContains(s.out(), "model tiny compiled: z reparameterized");
    // Mistakes in an expression: at their column of the REPL line, in the scope where the expression got furthest.
    assertContains(s.out(), "repl:10:9: error: unknown function or network 'decodr'\n 10 | inspect decodr(z)\n    |         ^^^^^^");
    assertContains(s.out(), "repl:11:25: error: unknown name 'bad'\n 11 | inspect split(log_var + bad)\n    |                         ^^^");
    assertContains(s.out(), "epoch   1/1  train -ELBO");
    assertEquals(9, s.repl().state().step());
    assertEquals(1, s.repl().state().epoch());
    assertContains(s.out(), "test log p(x) ~ ");
    assertContains(s.out(), "(importance sampling, K = 20)");
    // The encoder's 4 outputs on the 8 test rows; split halves them; the guide's scale is exp(0.5 log_var) > 0.
    assertContains(s.out(), "encoder(x): shape [8, 4]");
    assertContains(s.out(), "part 1 [0:2]: shape [8, 2]");
    assertContains(s.out(), "part 2 [2:4]: shape [8, 2]");
    assertContains(s.out(), "loc: shape [8, 2]");
    Matcher scale = Pattern.compile("scale: shape \\[8, 2\\]  mean \\S+  std \\S+  min (\\S+)").matcher(s.out());
    assertTrue(scale.find(), s.out());
    assertTrue(Double.parseDouble(scale.group(1)) > 0, s.out());
    assertContains(s.out(), "KL z (nats per example): shape [8, 1]");
    assertContains(s.out(), "training loss, 9 steps");
  }

  @Test
  void inspectedValueIsTheEncoderOutput() {
    // split(encoder(x)) must give the same numbers as the guide's loc (mu is the first half).
    Session s = piped("load %s\ninspect mu\ninspect guide z\n".formatted(model));
    assertEquals(0, s.exit(), s.out());
    Matcher mu = Pattern.compile("mu: shape \\[8, 2\\]  (.*)").matcher(s.out());
    Matcher loc = Pattern.compile("loc: shape \\[8, 2\\]  (.*)").matcher(s.out());
    assertTrue(mu.find() && loc.find(), s.out());
    assertEquals(mu.group(1), loc.group(1));
  }

  @Test
  void anEditWithAnErrorKeepsThePreviousModelAndAFixReplacesIt() {
    Session s = piped("""
        load %s
        train 3 steps
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_vr)) using sticking_the_landing
        }
        train 2 steps
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var)) using sticking_the_landing
        }
        train 2 steps
        """.formatted(model));
    assertEquals(1, s.exit(), "a failed command makes the exit status 1\n" + s.out());
    // The error is reported at the REPL's own line 5, the column of log_vr, with a caret and a hint.
    assertContains(s.out(), "repl:5:28: error: unknown name 'log_vr'");
    assertContains(s.out(), " 5 |   z ~ Normal(mu, exp(0.5 * log_vr)) using sticking_the_landing");
    assertContains(s.out(), "^^^^^^");
    assertContains(s.out(), "did you mean 'log_var'?");
    assertContains(s.out(), "the model in use is unchanged");
    // The previous model trained on (3 + 2 steps), then the fix was adopted, keeping every parameter.
    assertContains(s.out(), "trained 2 steps: now at epoch 0, step 5");
    assertContains(s.out(), "replaced guide z");
    assertContains(s.out(), "parameters: all 8 tensors kept");
    assertContains(s.out(), "z sticking_the_landing");
    assertEquals(7, s.repl().state().step());
    assertEquals("sticking_the_landing", s.repl().compilation().plan().latents().get(0).estimator().keyword());
  }

  @Test
  void parametersWhoseNameAndShapeSurviveKeepTheirTrainedValues() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Repl repl = new Repl(out, false);
    assertTrue(repl.execute("load " + model, 1));
    float[] initial = param(repl, "encoder.0.W");
    assertTrue(repl.execute("train 1 epoch", 2));
    float[] trained = param(repl, "encoder.0.W");
    float[] decoderTrained = param(repl, "decoder.1.b");
    assertFalse(java.util.Arrays.equals(initial, trained), "training changed the encoder");
    assertTrue(repl.execute("network decoder = MLP(2 -> 6 -> 16, activation = relu)", 3), bytes.toString(StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertContains(text, "replaced network decoder");
    assertContains(text, "parameters kept: encoder.0.W, encoder.0.b, encoder.1.W, encoder.1.b, decoder.1.b");
    assertContains(text, "parameters initialized afresh: decoder.0.W [2, 6] (was [2, 8]), decoder.0.b [6] (was [8]), decoder.1.W [6, 16] (was [8, 16])");
    assertArrayEquals(trained, param(repl, "encoder.0.W"));
    assertArrayEquals(decoderTrained, param(repl, "decoder.1.b"));
    assertEquals(9, repl.state().step(), "the progress counters carry over");
    assertTrue(repl.execute("train 2 steps", 4));
    assertEquals(11, repl.state().step());
  }

  /** A model without data trains on batch x steps draws per epoch; a new batch size keeps the steps per epoch. */
  @Test
  void aModelWithoutDataKeepsItsStepsPerEpochWhenTheBatchChanges() {
    Path energy = TinyModel.write(dir.resolve("tiny_u1.vae"), CliEnergyTest.MODEL);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Repl repl = new Repl(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    assertTrue(repl.execute("load " + energy, 1));
    assertTrue(repl.execute("train 1 epoch", 2), bytes.toString(StandardCharsets.UTF_8));
    assertEquals(5, repl.state().step());
    assertTrue(repl.execute("set batch 16", 3), bytes.toString(StandardCharsets.UTF_8));
    assertTrue(repl.execute("train 1 epoch", 4), bytes.toString(StandardCharsets.UTF_8));
    assertEquals(10, repl.state().step(), "an epoch is still 5 steps, not as many as the draws made for the old batch size give");
  }

  @Test
  void snapshotsAreComparedSideBySideAndRevertRestoresThem() {
    Session s = piped("""
        load %s
        train 1 epoch
        snapshot first
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var)) using sticking_the_landing
        }
        train 1 epoch
        snapshot second
        compare
        revert first
        compare frist
        loss
        """.formatted(model));
    assertEquals(1, s.exit(), s.out());
    Matcher head = Pattern.compile("\\n\\s+first\\s+second\\n").matcher(s.out());
    assertTrue(head.find(), s.out());
    assertTrue(Pattern.compile("\\nestimator z\\s+reparameterized\\s+sticking_the_landing\\n").matcher(s.out()).find(), s.out());
    assertTrue(Pattern.compile("\\nstep\\s+9\\s+18\\n").matcher(s.out()).find(), s.out());
    assertTrue(Pattern.compile("\\ntest -ELBO\\s+-?\\d+\\.\\d{3}\\s+-?\\d+\\.\\d{3}\\n").matcher(s.out()).find(), s.out());
    assertContains(s.out(), "second differs from first in: guide z");
    assertContains(s.out(), "back to snapshot first: epoch 1, step 9");
    assertEquals(9, s.repl().state().step());
    assertEquals("reparameterized", s.repl().compilation().plan().latents().get(0).estimator().keyword());
    assertContains(s.out(), "error: no snapshot 'frist'; did you mean 'first'?");
    assertContains(s.out(), "training loss, 9 steps");   // the revert took the loss history back too
  }

  @Test
  void setEditsTheTrainBlock() {
    Session s = piped("load %s\nset lr 0.01\nset batch 4\nshow train\ntrain 1 epoch\nset bacth 4\n".formatted(model));
    assertEquals(1, s.exit(), s.out());
    assertContains(s.out(), "optimizer = Adam(lr = 0.01)");
    assertContains(s.out(), "batch     = 4");
    assertEquals(18, s.repl().state().step(), "72 rows in batches of 4");
    assertContains(s.out(), "error: unknown setting 'bacth'; did you mean 'batch'?");
    assertEquals(0.01, s.repl().compilation().compiled().config().optimizer().lr(), 1e-12);
  }

  @Test
  void mistakesLeaveTheSessionRunningAndTheStateAsItWas() throws IOException {
    Path other = TinyModel.write(dir.resolve("other.vae"),
        TinyModel.text(dir.resolve("data.csv")).replace("MLP(16 -> 8 -> 4", "MLP(16 -> 6 -> 4").replace("MLP(2 -> 8", "MLP(2 -> 6")
            .replace("encoder", "enc").replace("decoder", "dec"));
    Path otherCkpt = dir.resolve("other.vaeckpt");
    Session first = piped("load %s\ntrain 2 steps\nsave %s\n".formatted(other, otherCkpt));
    assertEquals(0, first.exit(), first.out());
    Session s = piped("""
        load %s
        train 3 steps
        load %s
        load missing.vae
        trian 3 steps
        train 2 stpes
        save %s
        """.formatted(model, otherCkpt, dir.resolve("mine.vaeckpt")));
    assertEquals(1, s.exit(), s.out());
    assertContains(s.out(), "the checkpoint does not fit the model in use; nothing was changed");
    assertContains(s.out(), "error: file not found: missing.vae");
    assertContains(s.out(), "error: unknown command 'trian'; did you mean 'train'?");
    assertContains(s.out(), "error: train: the unit is epochs or steps, got 'stpes'");
    assertEquals(3, s.repl().state().step());
    assertTrue(Files.exists(dir.resolve("mine.vaeckpt")));
    CliRunner.assertNoStackTrace(new CliRunner.Result(s.exit(), s.out(), "", "", ""));
    // The saved checkpoint loads back into a session of the same model.
    Session back = piped("load %s\nload %s\nload %s\n".formatted(model, dir.resolve("mine.vaeckpt"), other));
    assertEquals(0, back.exit(), back.out());
    assertContains(back.out(), "epoch 0, step 3");
    // A model with no parameter of the same shape starts afresh, progress counters included.
    assertContains(back.out(), "parameters: none kept; all 8 tensors initialized afresh, at epoch 0, step 0");
    assertEquals(0, back.repl().state().step());
  }

  @Test
  void syntaxErrorsAndTrainingFaultsLeaveTheStateAsItWas() {
    Session s = piped("""
        load %s
        train 2 steps

        prior z ~ Normal(0 1)
        set lr 1e30
        train 1 epoch
        set lr 0.001
        train 1 step
        """.formatted(model));
    assertEquals(1, s.exit(), s.out());
    assertContains(s.out(), "repl:4:20: error: ");
    assertContains(s.out(), " 4 | prior z ~ Normal(0 1)");
    assertContains(s.out(), "training stopped at step");
    assertContains(s.out(), "the parameters are as they were before this train command");
    assertFalse(s.out().contains("checkpoint"), "no word of the session's scratch checkpoint\n" + s.out());
    assertContains(s.out(), "trained 1 step: now at epoch 0, step 3");
    assertEquals(3, s.repl().state().step());
  }

  @Test
  void typedStatementsBuildAModel() {
    String csv = dir.resolve("data.csv").toAbsolutePath().toString();
    Session s = piped("""
        data x : real[16] in [0, 1]
        latent z : real[2]
        network encoder = MLP(16 -> 8 -> 4)
        network decoder = MLP(2 -> 8 -> 16)
        prior z ~ Normal(0, 1)
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var))
        }
        likelihood x ~ Bernoulli(logits = decoder(z))
        train { dataset = "%s"; batch = 8 }
        train 2 steps
        """.formatted(csv));
    // Until the likelihood arrives the model is incomplete, which is said but is no failure.
    assertEquals(0, s.exit(), s.out());
    assertContains(s.out(), "(the model does not compile yet; go on typing statements, or load a file)");
    assertContains(s.out(), "compiled: z reparameterized");
    assertEquals(2, s.repl().state().step(), s.out());
  }

  @Test
  void ctrlCDuringTrainingReturnsToThePromptWithAUsableState() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    String input = "load " + model + "\ntrain 5 epochs\neval 10\ntrain 2 steps\neval 10\neval 10\nquit\n";
    try (Terminal terminal = new DumbTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), bytes)) {
      Repl repl = new Repl(out, false);
      // Ctrl-C as the terminal delivers it, after the 4th step of the first training run.
      repl.afterStep = step -> {
        if (step == 4 && repl.state().epoch() == 0) terminal.raise(Terminal.Signal.INT);
      };
      // And during the second evaluation's log p(x) estimate.
      int[] estimates = {0};
      repl.duringEstimate = done -> {
        if (++estimates[0] == 2) terminal.raise(Terminal.Signal.INT);
      };
      int exit = ReplCommand.interactive(terminal, dir.resolve("history"), null, out, repl);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertEquals(0, exit, text);
      assertContains(text, "interrupted after 4 steps: epoch 0, step 4; the state is kept");
      assertContains(text, "test log p(x) ~ ");
      assertContains(text, "trained 2 steps: now at epoch 0, step 6");
      assertEquals(6, repl.state().step());
      assertContains(text, "error: interrupted: the log p(x) estimate was stopped after 8 test examples");
      assertEquals(3, text.split("test log p\\(x\\) ~ ", -1).length, "the first and third evaluations finished\n" + text);
      assertTrue(Files.readString(dir.resolve("history")).contains("train 5 epochs"), "the history file keeps the lines");
    }
  }

  @Test
  void multiLineBlocksAndCompletionOnTheTerminal() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    String input = "load " + model + "\nguide {\n  mu, log_var = split(encoder(x))\n  z ~ Normal(mu, exp(0.5 * log_var)) using sticking_the_landing\n}\n"
        + "show guide z\n";
    try (Terminal terminal = new DumbTerminal(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), bytes)) {
      Repl repl = new Repl(out, false);
      ReplCommand.interactive(terminal, dir.resolve("history2"), null, out, repl);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertContains(text, "replaced guide z");
      assertEquals("sticking_the_landing", repl.compilation().plan().latents().get(0).estimator().keyword());
      ReplCompleter c = new ReplCompleter(repl);
      assertTrue(c.words("", 0).containsAll(java.util.List.of("train", "inspect", "snapshot", "guide", "network")));
      assertTrue(c.words("inspect", 1).containsAll(java.util.List.of("encoder", "decoder", "z", "x", "kl", "Normal", "exp")));
      assertTrue(c.words("set", 1).containsAll(java.util.List.of("lr", "batch", "objective")));
      assertNotEquals(-1, c.words("prior", 1).indexOf("Laplace"));
    }
  }

  @Test
  void helpListsEveryCommandAndDescribesOne() {
    Session s = piped("help\nhelp inspect\nhelp trian\n");
    assertEquals(1, s.exit());
    for (String c : s.repl().commandNames()) assertTrue(Pattern.compile("\\n  " + c + "\\b").matcher(s.out()).find(), c + "\n" + s.out());
    assertContains(s.out(), "inspect EXPR | split(EXPR) | guide Z | prior Z | kl\n  evaluate on the first test examples");
    assertContains(s.out(), "\n  inspect EXPR | split(EXPR) | guide Z | prior Z | kl\n                            evaluate on the first");
    assertContains(s.out(), "error: no command 'trian'; did you mean 'train'?");
  }

  @Test
  void picturesGraphsLossCurvesAndVariance() throws IOException {
    Path out = dir.resolve("outputs");
    Session s = piped("""
        load %1$s
        train 1 epoch
        sample 9 %2$s/samples.png
        reconstruct 4 %2$s/recon.png
        set preview on
        sample 2 %2$s/two.png
        loss %2$s/loss.png
        emit %2$s/graphs
        variance 3
        save %2$s/model.vae
        """.formatted(model, out));
    assertEquals(0, s.exit(), s.out());
    for (String png : java.util.List.of("samples.png", "recon.png", "two.png", "loss.png")) {
      byte[] b = Files.readAllBytes(out.resolve(png));
      assertTrue(b.length > 8 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png);
    }
    assertContains(s.out(), "wrote 9 samples of x to " + out.resolve("samples.png"));
    assertContains(s.out(), "wrote 4 test examples of x beside their reconstructions");
    // The preview: two 4 x 4 samples, two pixel rows per text row, side by side.
    Matcher preview = Pattern.compile("two.png\\n([ .:=+*#%@-]{4}  [ .:=+*#%@-]{0,4}\\n){2}").matcher(s.out());
    assertTrue(preview.find(), s.out());
    assertTrue(Files.exists(out.resolve("graphs/train.dot")) && Files.exists(out.resolve("graphs/decode.txt")));
    assertContains(s.out(), "z          reparameterized");
    // The saved model text compiles on its own and trains from the command line.
    CliRunner.ok("compile", out.resolve("model.vae"));
  }

  @Test
  void aFileNamedOnTheCommandLineIsLoadedFirst() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Repl repl = new Repl(out, false);
    int exit = ReplCommand.piped(new ByteArrayInputStream("train 2 steps\nquit\ntrain 2 steps\n".getBytes(StandardCharsets.UTF_8)), out, model,
        repl);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, text);
    assertContains(text, "model tiny compiled");
    assertEquals(2, repl.state().step(), "quit ends the script\n" + text);
    assertEquals(1, ReplCommand.piped(new ByteArrayInputStream(new byte[0]), out, dir.resolve("missing.vae"), new Repl(out, false)));
  }
}
