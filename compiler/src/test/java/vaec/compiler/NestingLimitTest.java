package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Deep nesting is a diagnostic at file:line:col, never a StackOverflowError; and every kind of
 * nesting right at the limit compiles through every pass on half the default stack.
 */
class NestingLimitTest {
  static final int LIMIT = 200;
  static final String GUIDE = "z ~ Normal(mu, exp(0.5 * log_var))";
  static final Pattern LEVELS = Pattern.compile("expression nested too deeply: (\\d+) levels, the limit is " + LIMIT);

  /** The reference model with the guide's scale written with {@code k} levels of one kind of nesting. */
  static String guide(String scale) {
    assertTrue(GOOD.contains(GUIDE));
    return GOOD.replace(GUIDE, "z ~ Normal(mu, " + scale + ")");
  }

  static final IntFunction<String> PARENS = k -> guide("exp(" + "(".repeat(k) + "0.5 * log_var" + ")".repeat(k) + ")");
  static final IntFunction<String> CALLS = k -> guide("exp(".repeat(k) + "0.5 * log_var" + ")".repeat(k));
  static final IntFunction<String> NEGATIONS = k -> guide("exp(0.5 * " + "- ".repeat(k) + "log_var)");
  static final IntFunction<String> NEGATED_PARENS = k -> guide("exp(0.5 * " + "-(".repeat(k) + "log_var" + ")".repeat(k) + ")");
  static final IntFunction<String> SUMS = k -> guide("exp(0.5 * (log_var" + " + log_var".repeat(k) + "))");
  static final IntFunction<String> SLICES = k -> guide("exp(0.5 * log_var" + "[0:20]".repeat(k) + ")");
  static final IntFunction<String> LAYERS = k -> GOOD.replace("MLP(784 -> 400 -> 40", "MLP(784" + " -> 3".repeat(k) + " -> 40");

  static int levels(CompileError e) {
    Matcher m = LEVELS.matcher(e.getMessage());
    assertTrue(m.find(), e.getMessage());
    return Integer.parseInt(m.group(1));
  }

  /** Runs the whole compiler on a thread with 512 KiB (half the JVM default on 64-bit Linux) of stack; returns what it threw, if anything. */
  static Throwable compileOnSmallStack(String text) throws InterruptedException {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        Compiler.compile(new SourceFile("m.vae", text));
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "small-stack", 512 * 1024);
    t.start();
    t.join();
    return thrown.get();
  }

  static boolean tooDeep(String text) {
    try {
      Compiler.compile(new SourceFile("m.vae", text));
      return false;
    } catch (CompileError e) {
      levels(e);
      return true;
    }
  }

  /**
   * The deepest accepted k (found by bisection) compiles on a small stack, and one level more is
   * refused just past the limit (one more k adds one or two levels).
   */
  static void limitIsExact(IntFunction<String> model) throws InterruptedException {
    int lo = 1;
    int hi = 5000;
    assertTrue(!tooDeep(model.apply(lo)) && tooDeep(model.apply(hi)));
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      if (tooDeep(model.apply(mid))) hi = mid;
      else lo = mid;
    }
    assertNull(compileOnSmallStack(model.apply(lo)), "at the limit, k = " + lo);
    int over = levels(fail(model.apply(lo + 1)));
    assertTrue(over == LIMIT + 1 || over == LIMIT + 2, "k = " + (lo + 1) + " gives " + over + " levels");
  }

  @Test void parenthesesAtTheLimit() throws InterruptedException { limitIsExact(PARENS); }
  @Test void callsAtTheLimit() throws InterruptedException { limitIsExact(CALLS); }
  @Test void negationsAtTheLimit() throws InterruptedException { limitIsExact(NEGATIONS); }
  @Test void negatedParenthesesAtTheLimit() throws InterruptedException { limitIsExact(NEGATED_PARENS); }
  @Test void sumsAtTheLimit() throws InterruptedException { limitIsExact(SUMS); }
  @Test void slicesAtTheLimit() throws InterruptedException { limitIsExact(SLICES); }
  @Test void layersAtTheLimit() throws InterruptedException { limitIsExact(LAYERS); }

  @Test
  void fiveThousandLevelsAreADiagnosticAtTheirPosition() {
    int line = 9;
    String prefix = "  z ~ Normal(mu, exp(";
    for (IntFunction<String> model : java.util.List.of(PARENS, CALLS, NEGATIONS, NEGATED_PARENS, SUMS, SLICES)) {
      CompileError e = fail(model.apply(5000));
      Diagnostic d = only(e);
      assertEquals(line, d.span().line(), e.getMessage());
      assertTrue(d.span().column() > prefix.length() - 5, e.getMessage());
      int n = levels(e);
      assertTrue(n >= 5000 && n <= 10_010, e.getMessage());
      assertTrue(e.getMessage().startsWith("m.vae:9:" + d.span().column() + ": error: expression nested too deeply"), e.getMessage());
    }
    // Parentheses are refused at the 201st level, where the limit is passed.
    Diagnostic d = only(fail(PARENS.apply(5000)));
    assertEquals(prefix.length() + LIMIT - 2 + 1, d.span().column());
  }

  @Test
  void fiveThousandLayersAreADiagnostic() {
    CompileError e = fail(LAYERS.apply(5000));
    assertEquals(4, only(e).span().line());
    assertTrue(levels(e) >= 5000, e.getMessage());
  }
}
