package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.stdlib.networks.NetworkSpec;

/**
 * Models over token sequences: the declarations a word VAE needs compile (widths, parameter
 * counts), and each mistake is reported at its position: a bad token type, a likelihood that reads
 * its own sequence other than through an autoregressive decoder, logits of the wrong width, and
 * recurrent options in the wrong place.
 */
class SequenceModelTest {
  static final String ENCODER = "GRU(tokens(12, 30) -> 32, embed = 16, hidden = 64)";
  static final String DECODER = "GRU(tokens(12, 30) -> logits, condition = 16, embed = 16, hidden = 64, feed = both)";
  static final String LIKELIHOOD = "likelihood w ~ Tokens(logits = decoder(concat(z, w)))";

  static String model(String type, String encoder, String decoder, String likelihood) {
    return """
        model words
        data   w : %s
        latent z : real[16]
        network encoder = %s
        network decoder = %s
        prior z ~ Normal(0, 1)
        guide {
          mu, log_var = split(encoder(w))
          z ~ Normal(mu, exp(0.5 * log_var))
        }
        %s
        train { dataset = english_words; batch = 16; epochs = 1; seed = 0 }
        """.formatted(type, encoder, decoder, likelihood);
  }

  static Diagnostic only(String text) {
    CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("m.vae", text)));
    assertEquals(1, e.diagnostics().size(), e.getMessage());
    return e.diagnostics().get(0);
  }

  @Test
  void theWordVaeCompiles() {
    var c = Compiler.compile(new SourceFile("m.vae", model("tokens[12, 30]", ENCODER, DECODER, LIKELIHOOD)));
    NetworkSpec enc = c.model().networks().get("encoder");
    NetworkSpec dec = c.model().networks().get("decoder");
    assertEquals(12, enc.inputWidth());
    assertEquals(32, enc.outputWidth());
    assertEquals(16 + 12, dec.inputWidth());
    assertEquals(12 * 30, dec.outputWidth());
    // GRU: embedding 30x16, Wx 16x192, Wh 64x192, two biases of 192, output 64x32 + 32
    assertEquals(30 * 16 + 16 * 192 + 64 * 192 + 2 * 192 + 64 * 32 + 32, enc.parameterCount());
    assertEquals(16, dec.autoregressiveCondition());
    assertEquals(-1, enc.autoregressiveCondition());
  }

  @Test
  void aTokenTypeNeedsLengthAndVocabulary() {
    CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("m.vae", model("tokens[12]", ENCODER, DECODER, LIKELIHOOD))));
    Diagnostic d = e.diagnostics().get(0);
    assertEquals(2, d.span().line());
    assertTrue(d.message().contains("tokens takes a maximum length and a vocabulary size"), d.message());
  }

  @Test
  void aLikelihoodMayReadItsSequenceOnlyThroughAnAutoregressiveDecoder() {
    String mlp = model("tokens[12, 30]", ENCODER, "MLP(28 -> 64 -> 360)", LIKELIHOOD);
    Diagnostic d = only(mlp);
    assertEquals(11, d.span().line());
    assertTrue(d.message().contains("reads w itself, which only an autoregressive decoder may do"), d.message());
    // the sequence given to the decoder in place of its condition
    String swapped = model("tokens[12, 30]", ENCODER, "GRU(tokens(12, 30) -> logits, condition = 12, embed = 16, hidden = 64)",
        "likelihood w ~ Tokens(logits = decoder(concat(w, w)))");
    assertTrue(only(swapped).message().contains("only an autoregressive decoder may do"));
  }

  @Test
  void aNetworkReadsTheVocabularyOfItsData() {
    Diagnostic d = only(model("tokens[12, 30]", "GRU(tokens(12, 40) -> 32)", DECODER, LIKELIHOOD));
    assertEquals(8, d.span().line());
    assertTrue(d.message().contains("network 'encoder' reads 40 token ids but 'w' has 30"), d.message());
  }

  @Test
  void logitsMustCoverEveryPositionAndToken() {
    String small = model("tokens[12, 30]", ENCODER, DECODER, "likelihood w ~ Tokens(logits = decoder(concat(z, w))[0:12])");
    Diagnostic d = only(small);
    assertTrue(d.message().contains("has width 12 but w of width 12 needs width 360"), d.message());
  }

  @Test
  void recurrentOptionsAreCheckedWhereTheyAreWritten() {
    Diagnostic d = only(model("tokens[12, 30]", "GRU(tokens(12, 30) -> 32, word_dropout = 0.2)", DECODER, LIKELIHOOD));
    assertEquals(4, d.span().line());
    assertTrue(d.message().contains("word_dropout applies to a decoder"), d.message());
    d = only(model("tokens[12, 30]", ENCODER, "LSTM(tokens(12, 30) -> logits, condition = 16, feed = sideways)", LIKELIHOOD));
    assertTrue(d.message().contains("feed is initial, step or both, not sideways"), d.message());
    d = only(model("tokens[12, 30]", ENCODER, "GRU(tokens(12, 30) -> logits, condition = 16, word_dropout = 1.5)", LIKELIHOOD));
    assertTrue(d.message().contains("word_dropout is a probability in [0, 1)"), d.message());
    d = only(model("tokens[12, 30]", ENCODER, "GRU(tokens(12, 30) -> logits)", LIKELIHOOD));
    assertTrue(d.message().contains("a decoder needs the width of what it is conditioned on"), d.message());
  }
}
