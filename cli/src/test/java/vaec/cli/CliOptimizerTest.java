package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.checkpoint.CheckpointIO;

/**
 * Adam's settings reach training through the real compiler and CLI: beta1 = 0.5 trains to other
 * parameters than the default, the flag that restores the default reproduces the default run bit
 * for bit, and a run with beta1 = 0.5 resumes exactly.
 */
class CliOptimizerTest {
  @TempDir static Path dir;
  static Path plain;
  static Path beta;
  static float[] plainParams;

  static Object[] args(Object... a) { return a; }

  static float[] params(Path out) {
    return CheckpointIO.read(out.resolve("checkpoint.vaeckpt")).params();
  }

  @BeforeAll
  static void setUp() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    String text = TinyModel.text(csv);
    plain = TinyModel.write(dir.resolve("plain.vae"), text);
    beta = TinyModel.write(dir.resolve("beta.vae"),
        TinyModel.variant(text, "  seed    = 0\n", "  seed    = 0\n  optimizer = Adam(lr = 1e-2, beta1 = 0.5)\n"));
    ok("run", plain, "--out", dir.resolve("plain"), "--eval-samples", 2, "--lr", 1e-2);
    plainParams = params(dir.resolve("plain"));
  }

  @Test
  void beta1FromTheFileChangesTrainingAndTheFlagCanRestoreTheDefault() {
    CliRunner.Result r = ok("run", beta, "--out", dir.resolve("beta"), "--eval-samples", 2);
    assertTrue(r.stdout().contains("Adam(lr = 0.01, beta1 = 0.5, beta2 = 0.999, eps = 1.0E-8)"), r::toString);
    float[] b = params(dir.resolve("beta"));
    assertFalse(Arrays.equals(plainParams, b), "beta1 = 0.5 trained to the same parameters as beta1 = 0.9");
    // Same model source otherwise: with --beta1 0.9 it is the default run again, bit for bit.
    ok("run", beta, "--out", dir.resolve("beta-default"), "--eval-samples", 2, "--beta1", 0.9);
    assertArrayEquals(plainParams, params(dir.resolve("beta-default")));
    // And the flags reach the same result from the plain file.
    ok("run", plain, "--out", dir.resolve("flag"), "--eval-samples", 2, "--lr", 1e-2, "--beta1", 0.5);
    assertArrayEquals(b, params(dir.resolve("flag")));
  }

  @Test
  void eachAdamSettingChangesTraining() {
    ok("run", plain, "--out", dir.resolve("b2"), "--eval-samples", 2, "--lr", 1e-2, "--beta2", 0.9);
    assertFalse(Arrays.equals(plainParams, params(dir.resolve("b2"))));
    ok("run", plain, "--out", dir.resolve("eps"), "--eval-samples", 2, "--lr", 1e-2, "--eps", 0.1);
    assertFalse(Arrays.equals(plainParams, params(dir.resolve("eps"))));
  }

  @Test
  void resumeWithBeta1KeepsTheRunExact() {
    ok("run", beta, "--out", dir.resolve("straight"), "--eval-samples", 2);
    Path r = dir.resolve("resumed");
    ok("run", beta, "--out", r, "--eval-samples", 2, "--epochs", 1);
    ok("run", beta, "--out", r, "--eval-samples", 2, "--resume");
    assertArrayEquals(params(dir.resolve("straight")), params(r));
  }

  @Test
  void badOptimizerFlagsAreUserErrors() {
    userError(args("run", plain, "--beta1", 1), "--beta1 must be at least 0 and below 1, got 1");
    userError(args("run", plain, "--beta2", -0.5), "--beta2 must be at least 0 and below 1, got -0.5");
    userError(args("run", plain, "--eps", 0), "--eps must be a positive number, got 0");
    userError(args("run", plain, "--lr", -1), "--lr must be a positive number, got -1");
    userError(args("run", plain, "--optimizer", "sgd", "--beta1", 0.5), "--beta1 is a setting of Adam", "SGD");
  }

  @Test
  void flagsACommandDoesNotReadAreRefused() {
    userError(args("eval", plain, "--checkpoint", dir.resolve("plain/checkpoint.vaeckpt"), "--lr", 0.1),
        "--lr has no effect on vaec eval");
    userError(args("eval", plain, "--checkpoint", dir.resolve("plain/checkpoint.vaeckpt"), "--epochs", 3, "--batch", 4),
        "--epochs, --batch have no effect on vaec eval");
    userError(args("variance", plain, "--beta1", 0.5), "--beta1 has no effect on vaec variance");
    userError(args("variance", plain, "--eval-samples", 5), "--eval-samples has no effect on vaec variance", "vaec run and vaec eval");
  }
}
