package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import org.junit.jupiter.api.Test;

/**
 * Constants of a model's graphs must be 32-bit floats. Found by mutating the examples' numbers:
 * {@code prior z ~ Normal(1e40, 1)} compiled, and the run stopped at step 1 "in the objective
 * [const 1.0E40]", with no line; {@code 1e-50} silently became 0.
 */
class ConstantRangeTest {
  @Test
  void aLiteralBeyondTheFloatRangeIsAnErrorAtItsColumn() {
    CompileError e = fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(1e40, 1)"));
    Diagnostic d = only(e);
    assertEquals(6, d.span().line());
    assertEquals(18, d.span().column());
    assertEquals(4, d.span().length());
    assertEquals("this number is 1.0E40, outside the range of 32-bit floats, in which vaec computes; it must be at most "
        + (double) Float.MAX_VALUE + " in magnitude, and 0 or large enough not to round to 0 (the smallest 32-bit float is 1.4E-45)", d.message());
    // The same for a negative one, a named argument, and one in a network's input.
    only(fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(-1e39, 1)")));
    only(fail(GOOD.replace("Bernoulli(logits = decoder(z))", "Bernoulli(logits = decoder(z) * 4e38)")));
    only(fail(GOOD.replace("split(encoder(x))", "split(encoder(x * 1e300))")));
  }

  @Test
  void aFoldedConstantBeyondTheRangeIsAnErrorAtItsOperator() {
    Diagnostic d = only(fail(GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) * (1e20 * 1e20)")));
    assertTrue(d.message().startsWith("1.0E20 * 1.0E20 is 1.0E40, outside the range of 32-bit floats, in which vaec computes; "), d.message());
    d = only(fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(0, exp(100))")));
    assertTrue(d.message().startsWith("exp(100) is 2.6881171418161356E43, outside the range of 32-bit floats"), d.message());
    // Infinity itself (a literal beyond the double range) is refused too; it was taken as a constant.
    d = only(fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(1e400, 1)")));
    assertTrue(d.message().startsWith("this number is Infinity, outside the range of 32-bit floats"), d.message());
  }

  @Test
  void constantDivisionByZeroIsReportedAsSuch() {
    // 1/0 between two constants was folded to Infinity before the division-by-zero check.
    Diagnostic d = only(fail(GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) + 1/0")));
    assertEquals("division by zero", d.message());
  }

  @Test
  void aNonzeroLiteralBelowTheSmallestFloatIsAnError() {
    Diagnostic d = only(fail(GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) + 1e-50")));
    assertTrue(d.message().startsWith("this number is 1.0E-50, outside the range of 32-bit floats, in which vaec computes; "), d.message());
    assertTrue(d.message().contains("0 or large enough not to round to 0"), d.message());
  }

  @Test
  void numbersWithinTheRangeStillCompile() {
    Compiler.compile(new SourceFile("m.vae", GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(3e38, 1e-45)")));
    Compiler.compile(new SourceFile("m.vae", GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) + 0 * 1e30 + exp(88)")));
  }
}
