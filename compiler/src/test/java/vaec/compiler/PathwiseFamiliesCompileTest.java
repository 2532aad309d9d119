package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.Catalog;
import vaec.stdlib.distributions.DistributionFamily;
import vaec.stdlib.distributions.ParamSpec;
import vaec.stdlib.estimators.Estimators;

/**
 * Every continuous family of the catalog with a pathwise sampler, written as both guide and prior
 * of a real latent ({@code guide z ~ F(mu, exp(s))}, {@code prior z ~ F(0, 1)} for a family of
 * (real, positive) arguments such as Normal, Laplace or LogNormal), compiles; the plan
 * reparameterizes the latent and takes the family's closed-form KL where {@code klTo} has one,
 * a Monte Carlo KL otherwise; one training step runs with finite loss and gradients. A new family
 * is covered by registering it.
 */
class PathwiseFamiliesCompileTest {
  static String model(DistributionFamily f) {
    List<ParamSpec> params = f.parameterizations().get(0);
    List<String> guide = new ArrayList<>();
    List<String> prior = new ArrayList<>();
    int net = 0;
    for (ParamSpec p : params) {
      String h = "h" + net++;
      switch (p.constraint()) {
        case REAL -> { guide.add(h); prior.add("0"); }
        case POSITIVE -> { guide.add("exp(0.5 * " + h + ")"); prior.add("1"); }
        case UNIT_INTERVAL -> { guide.add("sigmoid(" + h + ")"); prior.add("0.5"); }
      }
    }
    String names = String.join(", ", java.util.stream.IntStream.range(0, params.size()).mapToObj(i -> "h" + i).toList());
    // Each argument as wide as the family needs for a value of width 2 (MultivariateNormal's scale_tril is 3).
    List<String> widths = params.stream().map(p -> Integer.toString(f.parameterWidth(p.name(), 2))).toList();
    int total = params.stream().mapToInt(p -> f.parameterWidth(p.name(), 2)).sum();
    return """
        model m
        data   x : real[6] in [0, 1]
        latent z : real[2]
        network encoder = MLP(6 -> 5 -> %d, activation = relu)
        network decoder = MLP(2 -> 5 -> 6, activation = relu)
        prior z ~ %s(%s)
        guide {
          %s = split(encoder(x), %s)
          z ~ %s(%s)
        }
        likelihood x ~ Bernoulli(logits = decoder(z))
        train { optimizer = Adam(lr = 1e-3); batch = 8; epochs = 1; seed = 0 }
        """.formatted(total, f.name(), String.join(", ", prior), names, String.join(", ", widths), f.name(), String.join(", ", guide));
  }

  @Test
  void everyPathwiseRealFamilyCompilesAsGuideAndPriorAndTrainsOneStep() {
    Catalog catalog = Catalog.standard();
    List<String> covered = new ArrayList<>();
    for (String name : catalog.distributionNames()) {
      DistributionFamily f = catalog.distribution(name).orElseThrow();
      if (!f.hasPathwiseSampler() || f.isDiscrete() || f.drawDomain() != ValueDomain.REAL) continue;
      String text = model(f);
      var c = Compiler.compile(new SourceFile(name + ".vae", text));
      var lp = c.plan().of("z");
      assertEquals("reparameterized", lp.estimator().keyword(), text);
      assertEquals("reparameterized: " + name + " has a pathwise sampler", lp.estimatorReason());
      boolean closedForm = f.klTo(f).isPresent();
      assertEquals(closedForm, lp.analyticKl(), name);
      assertEquals(closedForm ? "analytic: " + f.klTo(f).get().reference()
          : "Monte Carlo: no closed form for KL(" + name + " || " + name + ")", lp.klReason(), name);

      var m = c.compiled();
      List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
      ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
      java.util.Random r = new java.util.Random(3);
      for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * 0.3);
      Executor train = new Executor(m.train(), 8, store);
      for (long i = 0; i < train.input("x").length(); i++) train.input("x").putScalar(i, r.nextDouble());
      train.drawNoise(new NoiseSource(1), 0);
      train.forward();
      train.backward();
      assertEquals(null, train.firstNonFiniteValue(), name);
      assertEquals(null, train.firstNonFiniteGradient(), name);
      assertTrue(store.grads().norm2Number().doubleValue() > 0, name + ": some gradient reaches the parameters");
      covered.add(name);
    }
    assertTrue(covered.contains("Normal"), "covered " + covered);
  }
}
