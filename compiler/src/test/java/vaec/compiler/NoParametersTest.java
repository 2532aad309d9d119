package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.compiler.DiagnosticsTest.GOOD;
import static vaec.compiler.DiagnosticsTest.fail;
import static vaec.compiler.DiagnosticsTest.only;

import org.junit.jupiter.api.Test;

/**
 * A model whose statements call no network has no parameters. Found by deleting one token of
 * examples/sivi_negative_binomial.vae ({@code psi = mixer(...)} became {@code psi = (...)}): it
 * compiled, and both vaec run and eval stopped with an internal error ("the loss does not depend
 * on any parameter").
 */
class NoParametersTest {
  @Test
  void aModelCallingNoNetworkIsAnErrorAtTheUnusedNetwork() {
    String text = """
        model m
        data   x : real[4] in [0, 1]
        latent z : real[4]
        network encoder = MLP(4 -> 8)
        prior z ~ Normal(0, 1)
        guide z ~ Normal(x, 1)
        likelihood x ~ Bernoulli(logits = z)
        """;
    CompileError e = fail(text);
    Diagnostic d = only(e);
    assertEquals("the model has no parameters to train: no statement calls a network", d.message());
    assertEquals(4, d.span().line(), "at network encoder, the first declared");
    assertEquals(9, d.span().column());
    assertTrue(d.hint().contains("network 'encoder' is declared here but never called"), d.hint());
  }

  @Test
  void anUnusedNetworkBesideUsedOnesStillCompiles() {
    // Declared but unused networks are allowed (they hold no parameters); only a model with none at all is refused.
    Compiler.compile(new SourceFile("m.vae", GOOD.replace("network decoder", "network spare = MLP(4 -> 4)\nnetwork decoder")));
  }
}
