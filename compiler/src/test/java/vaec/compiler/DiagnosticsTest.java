package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every class of user mistake the compiler must catch, each with its position and a message a
 * user can act on. Models are small variations of the reference VAE.
 */
class DiagnosticsTest {
  static final String GOOD = """
      model vae
      data   x : real[784] in [0, 1]
      latent z : real[20]
      network encoder = MLP(784 -> 400 -> 40, activation = relu)
      network decoder = MLP(20 -> 400 -> 784, activation = relu)
      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(encoder(x))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood x ~ Bernoulli(logits = decoder(z))
      train { optimizer = Adam(lr = 1e-3); batch = 128; epochs = 10; seed = 0 }
      """;

  static CompileError fail(String text) {
    return assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("m.vae", text)));
  }

  static Diagnostic only(CompileError e) {
    assertEquals(1, e.diagnostics().size(), e.getMessage());
    return e.diagnostics().get(0);
  }

  @Test
  void theReferenceModelCompiles() {
    var c = Compiler.compile(new SourceFile("m.vae", GOOD));
    assertEquals(652_824, c.model().networks().values().stream().mapToLong(n -> n.parameterCount()).sum());
    assertEquals(128, c.compiled().config().batch());
  }

  @Test
  void syntaxErrorPointsAtTheToken() {
    CompileError e = fail(GOOD.replace("prior z ~ Normal(0, 1)", "prior z ~ Normal(0, 1))"));
    Diagnostic d = only(e);
    assertEquals(6, d.span().line());
    assertEquals(23, d.span().column());
    assertTrue(e.getMessage().startsWith("m.vae:6:23: error: unexpected ')'"), e.getMessage());
    assertTrue(e.getMessage().contains("\n 6 | prior z ~ Normal(0, 1))\n   |                       ^"), e.getMessage());
  }

  @Test
  void unexpectedCharacter() {
    Diagnostic d = only(fail(GOOD.replace("latent z : real[20]", "latent z : real[20] $")));
    assertEquals(3, d.span().line());
    assertTrue(d.message().contains("unexpected character '$'"), d.message());
  }

  @Test
  void unknownNameSuggestsTheClosest() {
    Diagnostic d = only(fail(GOOD.replace("logits = decoder(z)", "logits = decodr(z)")));
    assertEquals(11, d.span().line());
    assertEquals(35, d.span().column());
    assertTrue(d.message().contains("unknown function or network 'decodr'"), d.message());
    assertEquals("did you mean 'decoder'?", d.hint());
  }

  @Test
  void unknownDistributionSuggestsTheClosest() {
    Diagnostic d = only(fail(GOOD.replace("z ~ Normal(0, 1)", "z ~ Normel(0, 1)")));
    assertEquals("did you mean 'Normal'?", d.hint());
  }

  @Test
  void duplicateDefinition() {
    Diagnostic d = only(fail(GOOD.replace("latent z : real[20]", "latent z : real[20]\nlatent z : real[5]")));
    assertTrue(d.message().contains("duplicate definition of 'z'"), d.message());
    assertTrue(d.hint().contains("line 3"), d.hint());
  }

  @Test
  void decoderWidthMustMatchTheData() {
    Diagnostic d = only(fail(GOOD.replace("MLP(20 -> 400 -> 784", "MLP(20 -> 400 -> 700")));
    assertEquals(11, d.span().line());
    assertTrue(d.message().contains("shape mismatch") && d.message().contains("width 700") && d.message().contains("x has width 784"),
        d.message());
  }

  @Test
  void networkInputWidthIsChecked() {
    Diagnostic d = only(fail(GOOD.replace("MLP(784 -> 400 -> 40", "MLP(780 -> 400 -> 40")));
    assertTrue(d.message().contains("network 'encoder' takes width 780 but is given width 784"), d.message());
  }

  @Test
  void priorWithoutGuide() {
    Diagnostic d = only(fail(GOOD.replace("  z ~ Normal(mu, exp(0.5 * log_var))\n", "")));
    assertTrue(d.message().contains("latent 'z' has a prior but no guide"), d.message());
    assertEquals(6, d.span().line());
  }

  @Test
  void guideWithoutPrior() {
    Diagnostic d = only(fail(GOOD.replace("prior z ~ Normal(0, 1)\n", "")));
    assertTrue(d.message().contains("latent 'z' has a guide but no prior"), d.message());
  }

  @Test
  void argumentOfTheWrongKind() {
    Diagnostic d = only(fail(GOOD.replace("Normal(0, 1)", "Normal(0, \"one\")")));
    assertTrue(d.message().contains("argument 'scale' of Normal must be a number or a value, not a string"), d.message());
    Diagnostic neg = only(fail(GOOD.replace("Normal(0, 1)", "Normal(0, -1)")));
    assertTrue(neg.message().contains("'scale' of Normal must be positive, got -1"), neg.message());
    Diagnostic named = only(fail(GOOD.replace("Bernoulli(logits = decoder(z))", "Bernoulli(logit = decoder(z))")));
    assertTrue(named.message().contains("Bernoulli has no argument 'logit'"), named.message());
    assertEquals("did you mean 'logits'?", named.hint());
    Diagnostic net = only(fail(GOOD.replace("Bernoulli(logits = decoder(z))", "Bernoulli(logits = decoder)")));
    assertTrue(net.message().contains("'decoder' is a network; call it"), net.message());
  }

  @Test
  void likelihoodSupportMustHoldTheData() {
    Diagnostic d = only(fail(GOOD.replace("data   x : real[784] in [0, 1]", "data   x : real[784]")));
    assertTrue(d.message().contains("Bernoulli likelihood has support [0,1] but 'x' is declared real"), d.message());
    assertTrue(d.hint().contains("in [0, 1]"), d.hint());
  }

  @Test
  void latentTypeMustMatchItsDraws() {
    Diagnostic d = fail(GOOD.replace("latent z : real[20]", "latent z : binary[20]")).diagnostics().get(0);
    assertTrue(d.message().contains("Normal draws real values but latent 'z' is declared binary"), d.message());
  }

  @Test
  void splitMustAddUp() {
    Diagnostic d = only(fail(GOOD.replace("split(encoder(x))", "split(encoder(x), 20, 10)")));
    assertTrue(d.message().contains("split sizes add up to 30 but the value has width 40"), d.message());
  }

  @Test
  void unknownTrainingSettingAndOptimizer() {
    Diagnostic d = only(fail(GOOD.replace("batch = 128", "bacth = 128")));
    assertEquals("did you mean 'batch'?", d.hint());
    Diagnostic o = only(fail(GOOD.replace("Adam(lr = 1e-3)", "Adma(lr = 1e-3)")));
    assertEquals("did you mean 'Adam'?", o.hint());
  }

  @Test
  void impossibleEstimatorOverrideIsRejected() {
    Diagnostic d = only(fail(GOOD.replace("z ~ Normal(mu, exp(0.5 * log_var))", "z ~ Normal(mu, exp(0.5 * log_var)) using enumerate")));
    assertTrue(d.message().contains("estimator 'enumerate' cannot serve latent 'z': Normal is continuous"), d.message());
  }

  @Test
  void severalErrorsAreReportedTogether() {
    CompileError e = fail(GOOD.replace("logits = decoder(z)", "logits = decodr(z)").replace("Normal(0, 1)", "Normal(0, locc)"));
    assertEquals(2, e.diagnostics().size(), e.getMessage());
    assertTrue(e.getMessage().endsWith("2 errors"));
  }

  @Test
  void computedTemperatureIsADiagnostic() {
    String relaxed = GOOD.replace("latent z : real[20]", "latent z : real[20] in [0, 1]")
        .replace("z ~ Normal(mu, exp(0.5 * log_var))", "z ~ RelaxedBernoulli(mu, exp(log_var))")
        .replace("prior z ~ Normal(0, 1)", "prior z ~ RelaxedBernoulli(0, 0.5)");
    Diagnostic d = only(fail(relaxed));
    assertTrue(d.message().contains("the temperature of RelaxedBernoulli must be a number"), d.message());
    assertEquals(9, d.span().line());
  }

  static final String DISCRETE = """
      data x : binary[4]
      latent z : binary[3]
      network enc = Linear(4 -> 3)
      network dec = Linear(3 -> 4)
      prior z ~ Bernoulli(probs = 0.5)
      guide z ~ Bernoulli(probs = sigmoid(enc(x))) using concrete
      likelihood x ~ Bernoulli(logits = dec(z))
      """;

  @Test
  void relaxationOfAProbsFamilyIsADiagnostic() {
    Diagnostic d = only(fail(DISCRETE));
    assertEquals(6, d.span().line());
    assertTrue(d.message().contains("relaxes Bernoulli through its logits, but the guide of 'z' gives probs"), d.message());
  }

  @Test
  void oneHotGroupsNeedTwoClasses() {
    String m = DISCRETE.replace("binary[3]", "onehot[3, 1]").replace("Bernoulli(probs = 0.5)", "Categorical(logits = 0)")
        .replace("Bernoulli(probs = sigmoid(enc(x))) using concrete", "Categorical(logits = enc(x))");
    Diagnostic d = only(fail(m));
    assertEquals(2, d.span().line());
    assertTrue(d.message().contains("a one-hot group of 'z' needs at least 2 classes, got 1"), d.message());
  }

  @Test
  void rebarAndRelaxMistakesAreDiagnostics() {
    Diagnostic probs = only(fail(DISCRETE.replace("using concrete", "using rebar")));
    assertEquals(6, probs.span().line());
    assertTrue(probs.message().contains("estimator 'rebar' cannot serve latent 'z': rebar relaxes Bernoulli through its logits, but the guide of 'z' gives probs"),
        probs.message());

    String byLogits = DISCRETE.replace("Bernoulli(probs = sigmoid(enc(x)))", "Bernoulli(logits = enc(x))");
    Diagnostic setting = only(fail(byLogits.replace("using concrete", "using rebar(hidden = 10)")));
    assertTrue(setting.message().contains("estimator 'rebar' has no setting 'hidden'"), setting.message());
    assertEquals(6, setting.span().line());
    Diagnostic width = only(fail(byLogits.replace("using concrete", "using relax(hidden = 2.5)")));
    assertTrue(width.message().contains("hidden must be a whole number"), width.message());
    Diagnostic temperature = only(fail(byLogits.replace("using concrete", "using relax(temperature = 0)")));
    assertTrue(temperature.message().contains("temperature must be a positive number"), temperature.message());

    String categorical = DISCRETE.replace("binary[3]", "onehot[3]").replace("Bernoulli(probs = 0.5)", "Categorical(logits = 0)")
        .replace("Bernoulli(probs = sigmoid(enc(x))) using concrete", "Categorical(logits = enc(x)) using relax");
    Diagnostic notBinary = only(fail(categorical));
    assertTrue(notBinary.message().contains("estimator 'relax' cannot serve latent 'z': Categorical is not binary"), notBinary.message());
  }

  @Test
  void rebarCannotFollowAnEnumeratedLatent() {
    String m = """
        data x : binary[4]
        latent c : binary[2]
        latent z : binary[3]
        network enc = Linear(6 -> 3)
        network dec = Linear(3 -> 4)
        prior c ~ Bernoulli(logits = 0)
        prior z ~ Bernoulli(logits = 0)
        guide {
          c ~ Bernoulli(logits = 0) using enumerate
          z ~ Bernoulli(logits = enc(concat(x, c))) using rebar
        }
        likelihood x ~ Bernoulli(logits = dec(z))
        """;
    Diagnostic d = only(fail(m));
    assertEquals(10, d.span().line());
    assertTrue(d.message().contains("rebar for 'z' cannot follow the enumerated latent 'c'"), d.message());
  }
}
