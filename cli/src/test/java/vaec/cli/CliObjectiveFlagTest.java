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

/** --objective replaces the train block's objective before compiling; its mistakes point into the flag's value. */
class CliObjectiveFlagTest {
  @TempDir Path dir;

  @Test
  void theFlagChangesTheObjectiveOfRunAndEval() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    Path model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    Path out = dir.resolve("run");
    CliRunner.Result run = ok("run", model, "--out", out, "--eval-samples", 10, "--objective", "iwae(samples = 3)");
    CliRunner.assertNoStackTrace(run);
    assertTrue(run.stdout().contains("train -IWAE-3"), run::toString);
    String json = CliRunner.metricsText(out);
    double negIwae = number(json, "test_neg_iwae");
    assertTrue(negIwae <= number(json, "test_neg_elbo") + 1e-4, json);

    // the checkpoint's parameters evaluated under the run's objective, and under the model's own
    CliRunner.Result iw = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 5, "--objective", "iwae(3)");
    Matcher m = Pattern.compile("test -IWAE-3 ([0-9.]+)").matcher(iw.stdout());
    assertTrue(m.find(), iw::toString);
    assertEquals(negIwae, Double.parseDouble(m.group(1)), 0.0006, iw::toString);
    CliRunner.Result plain = ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 5);
    assertTrue(plain.stdout().contains("test -ELBO ") && !plain.stdout().contains("IWAE-3"), plain::toString);
  }

  @Test
  void resumingUnderAnotherObjectiveIsRefusedAndTheSameOneIsNot() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    Path model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    Path out = dir.resolve("run");
    // A warm-up in epochs trains (the trainer binds it to steps).
    ok("run", model, "--out", out, "--eval-samples", 5, "--objective", "elbo(schedule = linear, warmup_epochs = 2)");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--resume", "--epochs", 3, "--objective", "iwae(samples = 3)"},
        "was trained with the objective", "ELBO with KL weight beta linear from 0.0 to 1.0 over 2 epochs", "IWAE-3");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--resume", "--epochs", 3}, "was trained with the objective");
    CliRunner.Result same = ok("run", model, "--out", out, "--resume", "--epochs", 3, "--eval-samples", 5,
        "--objective", "elbo(schedule = linear, warmup_epochs = 2)");
    assertTrue(same.stdout().contains("resuming"), same::toString);
  }

  @Test
  void mistakesInTheFlagPointAtItsValue() {
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    Path model = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    Path out = dir.resolve("never");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--objective", "iwae(samples = 0)"},
        "--objective:1:16", "samples must be a whole number from 1 to 5000");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--objective", "iwea(3)"},
        "--objective:1:1", "unknown objective 'iwea'", "did you mean 'iwae'?");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--objective", "iwae(3) x"},
        "--objective:1:9", "unexpected 'x' after the expression");
    CliRunner.userError(new Object[] {"run", model, "--out", out, "--objective", "elbo(beta = 2"}, "--objective:1:14");
    CliRunner.userError(new Object[] {"eval", model, "--objective", "elbo(schedule = linear)"},
        "--objective:1:1", "schedule = linear needs warmup = STEPS");
  }
}
