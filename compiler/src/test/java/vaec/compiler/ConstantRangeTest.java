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
    assertTrue(d.message().contains("the number 1.0E40 is beyond the range of 32-bit floats"), d.message());
    assertTrue(d.message().contains(String.valueOf(Float.MAX_VALUE)), d.message());
    // The same for a negative one, a named argument, and one in a network's input.
    only(fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(-1e39, 1)")));
    only(fail(GOOD.replace("Bernoulli(logits = decoder(z))", "Bernoulli(logits = decoder(z) * 4e38)")));
    only(fail(GOOD.replace("split(encoder(x))", "split(encoder(x * 1e300))")));
  }

  @Test
  void aFoldedConstantBeyondTheRangeIsAnErrorAtItsOperator() {
    Diagnostic d = only(fail(GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) * (1e20 * 1e20)")));
    assertTrue(d.message().startsWith("1.0E20 * 1.0E20 = 1.0E40 is beyond the range of 32-bit floats"), d.message());
    d = only(fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(0, exp(100))")));
    assertTrue(d.message().startsWith("exp(100) = 2.6881171418161356E43 is beyond the range"), d.message());
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
    assertTrue(d.message().contains("the number 1.0E-50 is below the smallest 32-bit float"), d.message());
  }

  @Test
  void numbersWithinTheRangeStillCompile() {
    Compiler.compile(new SourceFile("m.vae", GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(3e38, 1e-45)")));
    Compiler.compile(new SourceFile("m.vae", GOOD.replace("exp(0.5 * log_var)", "exp(0.5 * log_var) + 0 * 1e30 + exp(88)")));
  }
}
