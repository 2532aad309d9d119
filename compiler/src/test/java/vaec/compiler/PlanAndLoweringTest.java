package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.emit.GraphText;
import vaec.compiler.emit.Summary;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.ParamInit;
import vaec.stdlib.estimators.Estimators;

/** The estimator plan's decisions and the lowered graphs' arithmetic. */
class PlanAndLoweringTest {
  static Compiler.Compilation reference() {
    return Compiler.compile(new SourceFile("m.vae", DiagnosticsTest.GOOD));
  }

  @Test
  void gaussianLatentIsReparameterizedWithAnalyticKl() {
    var c = reference();
    var lp = c.plan().of("z");
    assertEquals("reparameterized", lp.estimator().keyword());
    assertEquals("reparameterized: Normal has a pathwise sampler", lp.estimatorReason());
    assertTrue(lp.analyticKl());
    String s = Summary.of(c);
    assertTrue(s.contains("reparameterized: Normal has a pathwise sampler"), s);
    assertTrue(s.contains("analytic: closed form for two diagonal Gaussians"), s);
    assertTrue(s.contains("330,040 parameters") && s.contains("322,784 parameters"), s);
  }

  @Test
  void planChoosesByDistributionProperties() {
    var catalog = vaec.stdlib.Catalog.standard();
    assertEquals("score_function", Estimators.choose(site(catalog.distribution("Bernoulli").get(), 200)).estimator().keyword());
    assertEquals("enumerate", Estimators.choose(site(catalog.distribution("Categorical").get(), 10)).estimator().keyword());
    assertEquals("enumerate", Estimators.choose(site(catalog.distribution("Bernoulli").get(), 3)).estimator().keyword());
    assertTrue(Estimators.byKeyword("enumerate").orElseThrow().whyNot(site(catalog.distribution("Bernoulli").get(), 200)).contains("2^200"));
    assertTrue(Estimators.byKeyword("reparameterized").orElseThrow().whyNot(site(catalog.distribution("Bernoulli").get(), 1)).contains("no pathwise"));
  }

  @Test
  void standardNormalPriorIsFusedAndGraphsEmit() {
    var c = reference();
    String text = GraphText.text("train", c.compiled().train());
    assertTrue(text.contains("kl_normal_std_normal"), text);
    assertTrue(text.contains("dense[relu]"), text);
    String dot = GraphText.dot("train", c.compiled().train());
    assertTrue(dot.startsWith("digraph \"train\" {") && dot.contains("->"), dot);
  }

  /** The training graph's loss equals the negative ELBO computed by hand from its own pieces. */
  @Test
  void lossIsReconstructionPlusKlComputedByHand() {
    String small = DiagnosticsTest.GOOD.replace("784", "6").replace("400", "5").replace("40,", "4,").replace("real[20]", "real[2]")
        .replace("MLP(20 ->", "MLP(2 ->");
    var c = Compiler.compile(new SourceFile("s.vae", small));
    var m = c.compiled();
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    java.util.Random r = new java.util.Random(5);
    for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * 0.5);
    Executor train = new Executor(m.train(), 3, store);
    Executor recon = new Executor(m.reconstruct(), 3, store);
    INDArray x = train.input("x");
    for (long i = 0; i < x.length(); i++) x.putScalar(i, r.nextDouble());
    recon.input("x").assign(x);
    // Noise of zero makes z the guide mean, which the reconstruct graph computes too.
    train.forward();
    recon.forward();
    INDArray probs = recon.value("mean_x");
    double[] loss = train.value("loss").toDoubleVector();
    double[] kl = train.value("kl").toDoubleVector();
    for (int b = 0; b < 3; b++) {
      double nll = 0;
      for (int j = 0; j < 6; j++) {
        double p = probs.getDouble(b, j);
        double xv = x.getDouble(b, j);
        nll -= xv * Math.log(p) + (1 - xv) * Math.log(1 - p);
      }
      assertEquals(nll + kl[b], loss[b], 1e-9, "example " + b);
      assertTrue(kl[b] > 0);
    }
    assertFalse(m.params().stream().anyMatch(p -> p.kind() != ParamInit.Kind.UNIFORM));
  }

  @Test
  void gammaAndBetaLatentsGetThePathwiseEstimatorAndTrain() {
    String src = """
        data x : real[4] in [0, 1]
        latent g : real[3]
        latent b : real[2] in [0, 1]
        network enc = Linear(4 -> 10)
        network dec = Linear(5 -> 4)
        prior { g ~ Gamma(2, 1); b ~ Beta(2, 2) }
        guide {
          h = softplus(enc(x)) + 0.1
          g ~ Gamma(h[0:3], h[3:6])
          b ~ Beta(h[6:8], h[8:10])
        }
        likelihood x ~ Bernoulli(logits = dec(concat(g, b)))
        """;
    var c = Compiler.compile(new SourceFile("gb.vae", src));
    // Implicit reparameterization gives both a pathwise sampler, so the planner picks it.
    assertEquals("reparameterized", c.plan().of("g").estimator().keyword());
    assertEquals("reparameterized", c.plan().of("b").estimator().keyword());
    assertTrue(c.plan().of("g").estimatorReason().startsWith("reparameterized: Gamma has a pathwise sampler"), c.plan().of("g").estimatorReason());
    assertTrue(c.compiled().train().nodes().stream().anyMatch(n -> n.op() != null && n.op().describe().equals("gamma_implicit_rsample")),
        "the training graph draws g pathwise");
    var m = c.compiled();
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    java.util.Random r = new java.util.Random(2);
    for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * 0.3);
    Executor ex = new Executor(m.train(), 8, store);
    for (long i = 0; i < ex.input("x").length(); i++) ex.input("x").putScalar(i, r.nextDouble());
    ex.drawNoise(new vaec.runtime.rng.NoiseSource(4), 0);
    ex.forward();
    ex.backward();
    assertTrue(Double.isFinite(ex.value("loss").meanNumber().doubleValue()));
    assertTrue(Double.isFinite(store.grads().norm2Number().doubleValue()) && store.grads().norm2Number().doubleValue() > 0);
  }

  /** A latent of {@code width} whose guide and prior are both {@code f}, written with its first parameterization. */
  private static vaec.stdlib.estimators.LatentSite site(vaec.stdlib.distributions.DistributionFamily f, int width) {
    java.util.Set<String> args = new java.util.LinkedHashSet<>();
    for (var p : f.parameterizations().get(0)) args.add(p.name());
    return new vaec.stdlib.estimators.LatentSite("z", width, f, args, f, args, 784);
  }
}
