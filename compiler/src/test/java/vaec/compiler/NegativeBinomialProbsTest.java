package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * NegativeBinomial given a constant probs of exactly 0 or 1 (which makes log p(x) = -inf for any
 * positive count, or for every count) is a diagnostic at the argument; values strictly inside
 * compile.
 */
class NegativeBinomialProbsTest {
  static String model(String probs) {
    return """
        data   n : count[4]
        latent z : real[4]
        network enc = Linear(4 -> 4)
        prior z ~ Gamma(1, 1)
        guide z ~ Gamma(softplus(enc(n)) + 0.1, 1)
        likelihood n ~ NegativeBinomial(total_count = z + 0.1, probs = PROBS)
        """.replace("PROBS", probs);
  }

  @Test
  void probsOfZeroOrOneAreDiagnosedAtTheArgument() {
    for (String p : new String[] {"0", "1", "1.5", "-0.2"}) {
      String text = model(p);
      CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("nb.vae", text)));
      assertEquals(1, e.diagnostics().size(), e.getMessage());
      Diagnostic d = e.diagnostics().get(0);
      assertEquals(6, d.span().line(), d.message());
      assertEquals(text.split("\n")[5].indexOf("probs = ") + 9, d.span().column(), d.message());
      assertTrue(d.message().contains("argument 'probs' of NegativeBinomial must be strictly between 0 and 1, got " + p), d.message());
    }
    Compiler.compile(new SourceFile("nb.vae", model("0.3")));
    Compiler.compile(new SourceFile("nb.vae", model("1e-6")));
  }
}
