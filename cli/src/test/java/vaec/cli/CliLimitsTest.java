package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits a user can hit from the command line: deep nesting and a network too large for memory. */
class CliLimitsTest {
  @TempDir static Path dir;
  static String text;

  static Object[] args(Object... a) { return a; }

  @BeforeAll
  static void setUp() {
    System.setProperty("java.awt.headless", "true");
    Path csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    text = TinyModel.text(csv);
  }

  @Test
  void deepNestingIsADiagnostic() {
    String deep = TinyModel.variant(text, "exp(0.5 * log_var)", "exp(" + "(".repeat(5000) + "0.5 * log_var" + ")".repeat(5000) + ")");
    Path model = TinyModel.write(dir.resolve("deep.vae"), deep);
    for (String command : new String[] {"compile", "run"}) {
      userError(args(command, model), "deep.vae:" + TinyModel.GUIDE_LINE + ":", "expression nested too deeply: 5002 levels, the limit is 200");
    }
    String negations = TinyModel.variant(text, "exp(0.5 * log_var)", "exp(0.5 * " + "-".repeat(5000) + "log_var)");
    userError(args("compile", TinyModel.write(dir.resolve("neg.vae"), negations)), "expression nested too deeply");
    String calls = TinyModel.variant(text, "exp(0.5 * log_var)", "exp(".repeat(5000) + "0.5 * log_var" + ")".repeat(5000));
    userError(args("compile", TinyModel.write(dir.resolve("calls.vae"), calls)), "expression nested too deeply");
  }

  @Test
  void aNetworkTooLargeForMemoryIsRefusedBeforeAllocating() {
    // About 10^10 parameters: 40 GB for the values alone, 160 GB with gradients and Adam's moments.
    Path model = TinyModel.write(dir.resolve("huge.vae"), TinyModel.variant(text, "MLP(2 -> 8 -> 16", "MLP(2 -> 100000 -> 100000 -> 16"));
    CliRunner.Result compiled = ok("compile", model);
    assertTrue(compiled.out().contains("10,002,000,188 parameters; training needs about 149.1 GiB")
        || compiled.stdout().contains("10,002,000,188 parameters; training needs about 149.1 GiB"), compiled::toString);
    for (Object[] a : new Object[][] {args("run", model, "--out", dir.resolve("huge")),
        args("variance", model)}) {
      CliRunner.Result r = userError(a, "10,002,000,188 parameters", "the largest network, decoder, has 10,002,000,016 parameters");
      assertTrue(Pattern.compile("training needs about 149.1 GiB \\(160,044,807,296 bytes").matcher(r.err()).find(), r::toString);
      assertTrue(r.err().contains("are available (") || r.err().contains("vaec holds at most"), r::toString);
    }
  }
}
