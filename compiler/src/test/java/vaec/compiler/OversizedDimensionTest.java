package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;

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
}
