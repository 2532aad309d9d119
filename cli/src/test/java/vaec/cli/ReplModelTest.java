package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vaec.compiler.CompileError;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;

/** The REPL's statement store: keys, replacement, and diagnostics mapped back to where statements were written. */
class ReplModelTest {
  static final String MODEL = """
      model m
      data x : real[4] in [0, 1]
      latent z : real[2]
      network enc = MLP(4 -> 4)
      network dec = MLP(2 -> 4)
      prior z ~ Normal(0, 1)
      guide {
        mu, s = split(enc(x))
        z ~ Normal(mu, exp(s))
      }
      likelihood x ~ Bernoulli(logits = dec(z))
      train { dataset = "d.csv"; batch = 2 }
      """;

  @Test
  void eachStatementIsKeyedByWhatItDefines() {
    List<ReplModel.Entry> e = ReplModel.parse(MODEL, "m.vae", 1);
    List<Set<String>> keys = e.stream().map(ReplModel.Entry::keys).toList();
    assertEquals(List.of(Set.of("model"), Set.of("var x"), Set.of("var z"), Set.of("network enc"), Set.of("network dec"), Set.of("prior z"),
        Set.of("guide z"), Set.of("likelihood x"), Set.of("train")), keys);
    assertEquals(7, e.get(6).firstLine());
    assertEquals("guide {\n  mu, s = split(enc(x))\n  z ~ Normal(mu, exp(s))\n}", e.get(6).text());
  }

  @Test
  void aStatementReplacesTheOneItRedefinesInPlace() {
    ReplModel m = new ReplModel().with(ReplModel.parse(MODEL, "m.vae", 1), null);
    List<String> replaced = new ArrayList<>();
    ReplModel n = m.with(ReplModel.parse("guide z ~ Normal(enc(x)[0:2], 1)", "repl", 20), replaced);
    assertEquals(List.of("guide z"), replaced);
    assertEquals(m.entries().size(), n.entries().size());
    assertEquals("guide z ~ Normal(enc(x)[0:2], 1)", n.entries().get(6).text());
    Compiler.compile(new SourceFile("repl", n.text()));   // the composed text compiles
    ReplModel added = n.with(ReplModel.parse("network extra = Linear(2 -> 2)", "repl", 21), null);
    assertEquals("network extra = Linear(2 -> 2)", added.entries().get(added.entries().size() - 1).text());
  }

  @Test
  void diagnosticsPointAtTheLineWhereTheStatementWasWritten() {
    ReplModel m = new ReplModel().with(ReplModel.parse(MODEL, "m.vae", 1), null)
        .with(ReplModel.parse("likelihood x ~ Bernoulli(logits = dek(z))", "repl", 42), null);
    CompileError e = assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("repl", m.text())));
    String located = m.locate(e, "repl");
    assertTrue(located.startsWith("repl:42:35: error: unknown function or network 'dek'"), located);
    assertTrue(located.contains(" 42 | likelihood x ~ Bernoulli(logits = dek(z))"), located);
  }

  @Test
  void syntaxErrorsAreReportedAtTheInputLine() {
    CompileError e = assertThrows(CompileError.class, () -> ReplModel.parse("prior z ~ Normal(0 1)", "repl", 7));
    assertTrue(e.getMessage().startsWith("repl:7:"), e.getMessage());
  }

  @Test
  void aBlockClosedOnTheLineOfTheNextStatementStaysWhole() {
    List<ReplModel.Entry> e = ReplModel.parse("guide {\n  z ~ Normal(0, 1)\n}; prior z ~ Normal(0, 1)", "repl", 1);
    assertEquals(1, e.size());
    assertEquals(Set.of("guide z", "prior z"), e.get(0).keys());
    assertEquals("guide {\n  z ~ Normal(0, 1)\n}; prior z ~ Normal(0, 1)", e.get(0).text());
  }

  @Test
  void setReplacesOrAddsATrainSetting() {
    String t = ReplTrainBlock.set("train {\n  batch = 2\n  optimizer = Adam(lr = 1e-3, beta1 = 0.8)\n}", "lr", "0.01");
    assertEquals("train {\n  batch     = 2\n  optimizer = Adam(lr = 0.01, beta1 = 0.8)\n}", t);
    assertEquals("train {\n  optimizer = Adam(lr = 0.5)\n}", ReplTrainBlock.set(null, "lr", "0.5"));
    assertEquals("train {\n  optimizer = SGD(lr = 0.5)\n}", ReplTrainBlock.set("train { optimizer = SGD }", "lr", "0.5"));
    assertEquals("train {\n  batch     = 8\n  objective = iwae(samples = 5)\n}",
        ReplTrainBlock.set("train { batch = 8 }", "objective", "iwae(samples = 5)"));
  }
}
