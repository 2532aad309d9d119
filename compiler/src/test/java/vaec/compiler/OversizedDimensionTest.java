package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import org.junit.jupiter.api.Test;

/** A dimension beyond int: the message read "dimension too large of 'z' must be between 1 and 100000000". */
class OversizedDimensionTest {
  @Test
  void aDimensionBeyondIntIsNamedInPlainWords() {
    CompileError e = fail(GOOD.replace("latent z : real[20]", "latent z : real[99999999999]"));
    Diagnostic d = e.diagnostics().get(0);
    assertTrue(d.message().equals("dimension of 'z' is too large: it must be between 1 and 100000000"), d.message());
    assertTrue(e.getMessage().startsWith("m.vae:3:12: error: dimension of 'z' is too large"), e.getMessage());
    d = fail(GOOD.replace("latent z : real[20]", "latent z : real[0]")).diagnostics().get(0);
    assertTrue(d.message().equals("dimension 0 of 'z' must be between 1 and 100000000"), d.message());
  }

  @Test
  void aRefusedSizeIsTheOnlyErrorNotTheFirstOfACascade() {
    // Was: the refused size, then a "shape mismatch" at every expression and statement that read
    // the variable with the made-up width (the encoder's input, the likelihood's logits, the guide).
    for (String[] edit : new String[][] {
        {"data   x : real[784] in [0, 1]", "data   x : real[200000000] in [0, 1]", "2:12", "dimension 200000000 of 'x' must be between 1 and 100000000"},
        {"data   x : real[784] in [0, 1]", "data   x : real[99999999999] in [0, 1]", "2:12", "dimension of 'x' is too large"},
        {"latent z : real[20]", "latent z : real[200000000]", "3:12", "dimension 200000000 of 'z' must be between 1 and 100000000"},
        {"latent z : real[20]", "latent z : real[0, 0]", "3:12", "dimension 0 of 'z' must be between 1 and 100000000"}}) {
      CompileError e = fail(GOOD.replace(edit[0], edit[1]));
      Diagnostic d = only(e);
      assertEquals(edit[2], d.span().line() + ":" + d.span().column(), e.getMessage());
      assertTrue(d.message().startsWith(edit[3]), d.message());
    }
    // A network's layer width beyond the limit names the value and the limit (it read "must be a positive whole number").
    Diagnostic w = only(fail(GOOD.replace("MLP(784 -> 400 -> 40", "MLP(784 -> 200000000 -> 40")));
    assertEquals("a layer width must be a positive whole number of at most 100000000, got 200000000", w.message());
    // A mistake elsewhere is still reported beside it.
    CompileError e = fail(GOOD.replace("latent z : real[20]", "latent z : real[200000000]").replace("MLP(784 -> 400 -> 40", "MLP(784 -> 400 -> 41"));
    assertEquals(2, e.diagnostics().size(), e.getMessage());
    assertTrue(e.getMessage().contains("cannot split width 41 into 2 equal parts"), e.getMessage());
  }
}
