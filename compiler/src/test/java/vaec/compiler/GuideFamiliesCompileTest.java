package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;

/**
 * The full-covariance Gaussian, the count likelihoods and the implicitly reparameterized families
 * as a user writes them: plans, lowered ops, one training step, and the diagnostics for their
 * mistakes at file:line:col.
 */
class GuideFamiliesCompileTest {
  static final String FULL_COV = """
      data   x : real[6] in [0, 1]
      latent z : real[3]
      network encoder = MLP(6 -> 8 -> 9)
      network decoder = MLP(3 -> 8 -> 6)
      prior z ~ PRIOR
      guide {
        mu, t = split(encoder(x), 3, 6)
        z ~ MultivariateNormal(loc = mu, scale_tril = t)
      }
      likelihood x ~ Bernoulli(logits = decoder(z))
      """;

  static boolean uses(Graph g, String op) {
    return g.nodes().stream().anyMatch(n -> n.op() != null && n.op().describe().equals(op));
  }

  /** One forward and backward pass of the training graph with small random parameters: the loss and gradient norm. */
  static double[] step(Compiler.Compilation c, String input, double[][] rows) {
    var m = c.compiled();
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    java.util.Random r = new java.util.Random(2);
    for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * 0.3);
    Executor ex = new Executor(m.train(), rows.length, store);
    ex.input(input).assign(org.nd4j.linalg.factory.Nd4j.createFromArray(rows));
    ex.drawNoise(new vaec.runtime.rng.NoiseSource(4), 0);
    ex.forward();
    ex.backward();
    return new double[] {ex.value("loss").meanNumber().doubleValue(), store.grads().norm2Number().doubleValue()};
  }

  static double[][] unitRows(int n, int w) {
    java.util.Random r = new java.util.Random(1);
    double[][] x = new double[n][w];
    for (double[] row : x) for (int j = 0; j < w; j++) row[j] = r.nextDouble();
    return x;
  }

  @Test
  void fullCovarianceGuideGetsItsClosedFormKlAndTrains() {
    var c = Compiler.compile(new SourceFile("fc.vae", FULL_COV.replace("PRIOR", "Normal(0, 1)")));
    var lp = c.plan().of("z");
    assertEquals("reparameterized", lp.estimator().keyword());
    assertTrue(lp.analyticKl());
    assertEquals("analytic: closed form for a full-covariance Gaussian against a diagonal one", lp.klReason());
    assertTrue(uses(c.compiled().train(), "kl_mvn_standard_normal"));
    assertTrue(uses(c.compiled().train(), "mvn_rsample"));
    double[] s = step(c, "x", unitRows(5, 6));
    assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]) && s[1] > 0);

    // Against a full-covariance prior written with constants (N(0, I)): the full-to-full closed form.
    var full = Compiler.compile(new SourceFile("fc.vae", FULL_COV.replace("PRIOR", "MultivariateNormal(0, 0)")));
    assertEquals("analytic: closed form for two full-covariance Gaussians", full.plan().of("z").klReason());
    assertTrue(uses(full.compiled().train(), "kl_mvn_full"));
    // Against a prior it has no closed form with: Monte Carlo, and the plan says why.
    var laplace = Compiler.compile(new SourceFile("fc.vae", FULL_COV.replace("PRIOR", "Laplace(0, 1)")));
    assertFalse(laplace.plan().of("z").analyticKl());
    assertEquals("Monte Carlo: no closed form for KL(MultivariateNormal || Laplace)", laplace.plan().of("z").klReason());
    assertTrue(uses(laplace.compiled().train(), "mvn_log_prob"));
  }

  static CompileError fail(String text) {
    return assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("m.vae", text)));
  }

  @Test
  void fullCovarianceWidthMismatchIsADiagnosticAtTheArgument() {
    CompileError e = fail(FULL_COV.replace("PRIOR", "Normal(0, 1)").replace("split(encoder(x), 3, 6)", "split(encoder(x), 3, 6)[0:5]")
        .replace("mu, t = split(encoder(x), 3, 6)[0:5]", "mu, t = split(encoder(x), 3, 6)\n  t2 = t[0:5]").replace("scale_tril = t)", "scale_tril = t2)"));
    assertTrue(e.getMessage().startsWith("m.vae:9:49: error: shape mismatch: argument 'scale_tril' of MultivariateNormal has width 5"
        + " but z of width 3 needs width 6"), e.getMessage());
  }

  @Test
  void nonPositiveGammaAndBetaConstantsAreDiagnostics() {
    String text = """
        data   x : real[4] in [0, 1]
        latent g : real[2]
        network enc = Linear(4 -> 4)
        network dec = Linear(2 -> 4)
        prior g ~ Gamma(PRIOR)
        guide {
          h = softplus(enc(x)) + 0.1
          g ~ Gamma(h[0:2], h[2:4])
        }
        likelihood x ~ Bernoulli(logits = dec(g))
        """;
    CompileError e = fail(text.replace("PRIOR", "-1, 1"));
    assertTrue(e.getMessage().startsWith("m.vae:5:17: error: argument 'concentration' of Gamma must be positive, got -1"), e.getMessage());
    e = fail(text.replace("PRIOR", "2, 0"));
    assertTrue(e.getMessage().startsWith("m.vae:5:20: error: argument 'rate' of Gamma must be positive, got 0"), e.getMessage());
    CompileError b = fail(text.replace("latent g : real[2]", "latent g : real[2] in [0, 1]").replace("Gamma(PRIOR)", "Beta(0, 2)")
        .replace("g ~ Gamma(h[0:2], h[2:4])", "g ~ Beta(h[0:2], h[2:4])"));
    assertTrue(b.getMessage().startsWith("m.vae:5:16: error: argument 'concentration1' of Beta must be positive, got 0"), b.getMessage());
    // A valid model trains one step with the implicit gradients.
    var c = Compiler.compile(new SourceFile("g.vae", text.replace("PRIOR", "2, 1")));
    assertTrue(uses(c.compiled().train(), "gamma_implicit_rsample"));
    double[] s = step(c, "x", unitRows(6, 4));
    assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]) && s[1] > 0);
  }

  static final String COUNTS = """
      data   n : count[5]
      latent z : real[2]
      network enc = Linear(5 -> 4)
      network dec = Linear(2 -> 5)
      prior z ~ Gamma(1, 1)
      guide {
        h = softplus(enc(log(n + 1))) + 0.05
        z ~ Gamma(h[0:2], h[2:4])
      }
      likelihood n ~ LIKELIHOOD
      """;

  @Test
  void countLikelihoodsScoreCountDataAndRefuseOtherData() {
    for (String lik : List.of("Poisson(rate = softplus(dec(z)) + 0.01)", "Poisson(log_rate = dec(z))",
        "NegativeBinomial(total_count = 3, logits = dec(z))", "NegativeBinomial(softplus(dec(z)) + 0.1, 0.4)")) {
      var c = Compiler.compile(new SourceFile("p.vae", COUNTS.replace("LIKELIHOOD", lik)));
      double[][] counts = {{0, 3, 1, 7, 2}, {1, 0, 0, 4, 12}, {2, 2, 5, 0, 1}};
      double[] s = step(c, "n", counts);
      assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]) && s[1] > 0, lik);
    }
    CompileError e = fail(COUNTS.replace("count[5]", "real[5]").replace("LIKELIHOOD", "Poisson(log_rate = dec(z))"));
    assertTrue(e.getMessage().startsWith("m.vae:10:16: error: Poisson likelihood has support count but 'n' is declared real"), e.getMessage());
    assertTrue(e.getMessage().contains("counts are declared n : count[5]"), e.getMessage());
    CompileError typo = fail(COUNTS.replace("count[5]", "cont[5]").replace("LIKELIHOOD", "Poisson(log_rate = dec(z))"));
    assertTrue(typo.getMessage().contains("unknown type 'cont'") && typo.getMessage().contains("count"), typo.getMessage());
  }

  @Test
  void dirichletLatentsArePathwiseAndTrain() {
    String text = """
        data   x : real[4] in [0, 1]
        latent p : real[3] in [0, 1]
        network enc = Linear(4 -> 3)
        network dec = Linear(3 -> 4)
        prior p ~ Dirichlet(0.8)
        guide p ~ Dirichlet(softplus(enc(x)) + 0.1)
        likelihood x ~ Bernoulli(logits = dec(p))
        """;
    var c = Compiler.compile(new SourceFile("d.vae", text));
    assertEquals("reparameterized", c.plan().of("p").estimator().keyword());
    assertTrue(c.plan().of("p").analyticKl(), c.plan().of("p").klReason());   // Dirichlet-Dirichlet in closed form (KlDirichlet)
    assertTrue(uses(c.compiled().train(), "dirichlet_implicit_rsample"));
    assertTrue(uses(c.compiled().train(), "kl_dirichlet_dirichlet"));
    assertTrue(uses(c.compiled().logWeight(), "dirichlet_log_prob"));
    double[] s = step(c, "x", unitRows(6, 4));
    assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]) && s[1] > 0);
  }
}
