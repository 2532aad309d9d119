package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link Main#execute} in this JVM the way the {@code vaec} launcher does, capturing the
 * exit status, the out and err writers, and what the commands print to System.out and System.err
 * directly (the progress display and summaries).
 */
final class CliRunner {
  private CliRunner() {}

  record Result(int exit, String out, String err, String stdout, String stderr) {
    /** Everything a user would have seen. */
    String all() { return out + err + stdout + stderr; }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- err writer:\n" + err + "\n--- out writer:\n" + out + "\n--- System.out:\n" + stdout
          + "\n--- System.err (tail):\n" + tail(stderr, 2000);
    }
  }

  static Result run(Object... args) {
    return runWith(System.getenv(), args);
  }

  /** As {@link #run}, with the VAEC_* settings read from {@code env} rather than this JVM's environment. */
  static Result runWith(java.util.Map<String, String> env, Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int exit;
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
        exit = Main.execute(a, o, e, env);
      }
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(exit, out.toString(), err.toString(), stdout.toString(StandardCharsets.UTF_8),
        stderr.toString(StandardCharsets.UTF_8));
  }

  /** Exit 0. */
  static Result ok(Object... args) {
    Result r = run(args);
    assertEquals(0, r.exit(), () -> "expected success of " + List.of(args) + "\n" + r);
    return r;
  }

  /**
   * A user mistake: exit 1, each fragment in the message on the err writer, and no stack trace
   * anywhere in what was printed.
   */
  static Result userError(Object[] args, String... fragments) {
    Result r = run(args);
    assertEquals(1, r.exit(), () -> "expected exit 1 (user error) of " + List.of(args) + "\n" + r);
    assertFalse(r.err().isBlank(), () -> "no message on the err writer\n" + r);
    for (String f : fragments) {
      assertTrue(r.err().contains(f), () -> "err lacks \"" + f + "\"\n" + r);
    }
    assertNoStackTrace(r);
    return r;
  }

  static void assertNoStackTrace(Result r) {
    for (String s : List.of(r.err(), r.out(), r.stdout(), r.stderr())) {
      assertFalse(s.contains("\tat "), () -> "a stack trace was printed\n" + r);
      assertFalse(s.contains("Exception"), () -> "an exception name was printed\n" + r);
      assertFalse(s.contains("internal error"), () -> "reported as an internal error\n" + r);
    }
  }

  static String tail(String s, int n) {
    return s.length() <= n ? s : "..." + s.substring(s.length() - n);
  }

  // ---- metrics.json, read crudely: it is flat, with numbers, strings and lists of numbers ----

  static String metricsText(Path dir) {
    try {
      return Files.readString(dir.resolve("metrics.json"));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + dir.resolve("metrics.json"), e);
    }
  }

  /** The number for {@code key} exactly as written (for byte-level comparisons). */
  static String rawNumber(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*([-+0-9.eE]+|null)").matcher(json);
    if (!m.find()) fail("metrics lack a number \"" + key + "\":\n" + json);
    return m.group(1);
  }

  static double number(String json, String key) {
    String raw = rawNumber(json, key);
    return raw.equals("null") ? Double.NaN : Double.parseDouble(raw);
  }

  static List<Double> numbers(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) fail("metrics lack a list \"" + key + "\":\n" + json);
    List<Double> l = new ArrayList<>();
    for (String p : m.group(1).split(",")) {
      if (p.isBlank()) continue;
      l.add(p.strip().equals("null") ? Double.NaN : Double.parseDouble(p.strip()));
    }
    return l;
  }
}
