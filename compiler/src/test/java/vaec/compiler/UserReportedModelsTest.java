package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.ir.Variable;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ParamInit;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.train.TrainingPass;

/**
 * The models of issue 7's "What users hit today" that concern compiling, each as its user wrote
 * it (at small widths): it must compile, and its training graph must run forward and backward
 * with a finite loss on random data of the declared domains.
 */
public class UserReportedModelsTest {
  static final int BATCH = 4;

  /** Compiles, runs the training step once on random data, and returns the per-example losses. */
  static double[] trainLoss(String name, String text, long seed) {
    Compiler.Compilation c = Compiler.compile(new SourceFile(name, text));
    return trainLoss(c, seed, null);
  }

  /** As above; {@code override} (data name, rows) replaces one data variable's random values. */
  static double[] trainLoss(Compiler.Compilation c, long seed, java.util.Map.Entry<String, double[][]> override) {
    CompiledModel m = c.compiled();
    Random r = new Random(seed);
    ParameterStore store = initialParameters(m, r);
    TrainingPass pass = new TrainingPass(m, BATCH, store);
    for (Variable v : c.model().data()) {
      assertTrue(m.train().inputs().containsKey(v.name()), "the training graph reads data '" + v.name() + "'");
      INDArray in = pass.input(v.name());
      for (int b = 0; b < BATCH; b++) {
        double[] row = new double[v.width()];
        switch (v.domain()) {
          case REAL -> { for (int j = 0; j < row.length; j++) row[j] = r.nextGaussian(); }
          case UNIT_INTERVAL -> { for (int j = 0; j < row.length; j++) row[j] = r.nextDouble(); }
          case BINARY -> { for (int j = 0; j < row.length; j++) row[j] = r.nextBoolean() ? 1 : 0; }
          case ONE_HOT -> { for (int g = 0; g < row.length; g += v.groupSize()) row[g + r.nextInt(v.groupSize())] = 1; }
        }
        if (override != null && override.getKey().equals(v.name())) row = override.getValue()[b];
        for (int j = 0; j < row.length; j++) in.putScalar(b, j, row[j]);
      }
    }
    pass.drawNoise(new NoiseSource(seed), 0);
    pass.forward();
    pass.backward();
    double[] loss = pass.main().value("loss").dup().data().asDouble();
    for (double l : loss) assertTrue(Double.isFinite(l), "loss " + l);
    assertNull(pass.firstNonFiniteGradient(), "non-finite gradient");
    assertTrue(store.grads().norm2Number().doubleValue() > 0, "some gradient is non-zero");
    return loss;
  }

  /**
   * Two Gaussian stochastic layers: the guide runs bottom-up (z1 from x, then z2 from z1), the
   * prior top-down (z2, then z1 given z2), as in ladder VAEs. Reported: "unbound value in Latent z2".
   */
  static final String HIERARCHICAL = """
      model hierarchical_vae
      data   x  : real[12] in [0, 1]
      latent z1 : real[4]
      latent z2 : real[2]

      network enc1  = MLP(12 -> 8 -> 8, activation = relu)
      network enc2  = MLP(4 -> 6 -> 4, activation = relu)
      network top   = MLP(2 -> 6 -> 8, activation = relu)
      network dec   = MLP(4 -> 8 -> 12, activation = relu)

      prior {
        z2 ~ Normal(0, 1)
        mu_p, log_sigma_p = split(top(z2))
        z1 ~ Normal(mu_p, exp(log_sigma_p))
      }

      guide {
        mu1, log_var1 = split(enc1(x))
        z1 ~ Normal(mu1, exp(0.5 * log_var1))
        mu2, log_var2 = split(enc2(z1))
        z2 ~ Normal(mu2, exp(0.5 * log_var2))
      }

      likelihood x ~ Bernoulli(logits = dec(z1))
      """;

  @Test
  void bottomUpGuideWithTopDownPriorCompilesAndTrains() {
    double[] loss = trainLoss("hierarchical.vae", HIERARCHICAL, 1);
    assertEquals(BATCH, loss.length);
    // The same model with the guide written top-down is the one that worked before; both must.
    String topDownGuide = HIERARCHICAL.replace("""
          mu1, log_var1 = split(enc1(x))
          z1 ~ Normal(mu1, exp(0.5 * log_var1))
          mu2, log_var2 = split(enc2(z1))
          z2 ~ Normal(mu2, exp(0.5 * log_var2))
        """, """
          mu2, log_var2 = split(enc2(enc1(x)[0:4]))
          z2 ~ Normal(mu2, exp(0.5 * log_var2))
          mu1, log_var1 = split(enc1(x))
          z1 ~ Normal(mu1, exp(0.5 * log_var1))
        """);
    assertNotEquals(HIERARCHICAL, topDownGuide);
    trainLoss("hierarchical_top_down.vae", topDownGuide, 1);
  }

  /** A prior conditioned on a covariate the model reads but does not score. Reported: the same crash. */
  static final String CONDITIONAL_PRIOR = """
      data   x : real[10] in [0, 1]
      data   c : real[3]                      // a covariate: read, not scored
      latent z : real[2]
      network prior_net = Linear(3 -> 4)
      network encoder   = MLP(13 -> 8 -> 4, activation = tanh)
      network decoder   = MLP(2 -> 8 -> 10, activation = tanh)
      prior {
        m, s = split(prior_net(c))
        z ~ Normal(m, exp(s))
      }
      guide {
        mu, log_var = split(encoder(concat(x, c)))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood x ~ Bernoulli(logits = decoder(z))
      """;

  @Test
  void priorConditionedOnADataVariableCompilesAndTrains() {
    trainLoss("conditional_prior.vae", CONDITIONAL_PRIOR, 2);
  }

  /** Images and their labels, both modelled. Reported: y is never bound to data. */
  static final String TWO_OBSERVED = """
      data   x : real[10] in [0, 1]
      data   y : onehot[3]
      latent z : real[2]
      network encoder    = MLP(13 -> 8 -> 4, activation = relu)
      network decoder    = MLP(2 -> 8 -> 10, activation = relu)
      network classifier = Linear(2 -> 3)
      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(encoder(concat(x, y)))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood {
        x ~ Bernoulli(logits = decoder(z))
        y ~ Categorical(logits = classifier(z))
      }
      """;

  @Test
  void twoObservedVariablesCompileAndBothAreRead() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("labelled.vae", TWO_OBSERVED));
    double[][] first = new double[BATCH][3];
    double[][] second = new double[BATCH][3];
    for (int b = 0; b < BATCH; b++) {
      first[b][0] = 1;
      second[b][2] = 1;
    }
    double[] a = trainLoss(c, 3, java.util.Map.entry("y", first));
    double[] b = trainLoss(c, 3, java.util.Map.entry("y", second));
    // Same parameters, noise and images; only the labels differ, so the loss must too.
    for (int i = 0; i < BATCH; i++) assertNotEquals(a[i], b[i], 1e-9, "example " + i + ": the loss does not read y");
  }

  /** A conditional VAE: encoder and decoder both see the label y, which has no likelihood. Reported: refused. */
  static final String CVAE = """
      model cvae
      data   x : real[10] in [0, 1]
      data   y : onehot[3]                    // the condition: read, not scored
      latent z : real[2]
      network encoder = MLP(13 -> 8 -> 4, activation = relu)
      network decoder = MLP(5 -> 8 -> 10, activation = relu)
      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(encoder(concat(x, y)))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood x ~ Bernoulli(logits = decoder(concat(z, y)))
      """;

  @Test
  void conditionalVaeWithAnUnscoredLabelCompilesAndTrains() {
    trainLoss("cvae.vae", CVAE, 4);
  }

  /** Float64 parameters drawn as the model's own initialization says (uniform bounds or constants), from {@code r}. */
  public static ParameterStore initialParameters(CompiledModel m, Random r) {
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    long off = 0;
    for (ParamInit p : m.params()) {
      long n = 1;
      for (long d : p.shape()) n *= d;
      for (long i = 0; i < n; i++) {
        store.values().putScalar(off++, p.kind() == ParamInit.Kind.CONSTANT ? p.value() : (2 * r.nextDouble() - 1) * p.value());
      }
    }
    return store;
  }
}
