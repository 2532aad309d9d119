package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.lower.GraphLowering;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.DenseRows;
import vaec.runtime.ops.RepeatRows;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.train.TrainingPass;
import vaec.stdlib.Catalog;

/**
 * The compiler's factoring of dense layers over concatenations with repeated parts
 * ({@code RepeatedRowsFactoring}) against the graphs as lowered: the same loss per example and the
 * same gradient of every parameter, with the same parameters. In float64 they agree to 1e-10
 * relative (only the order of sums differs); in float32, the training precision, to 2e-5 relative
 * for the loss and 1e-4 of the largest gradient of each parameter.
 */
class RepeatedRowsFactoringTest {
  /** Whole groups of 2 or 3 samples per example, for the importance-weighted case. */
  static final int BATCH = 6;

  /** bench/gmm.vae in small: z's head reads [h, c], h computed once per example before c is enumerated. */
  static final String GMM = """
      data x : real[6] in [0, 1]
      latent c : onehot[3]
      latent z : real[2]
      network body = Linear(6 -> 5, output = relu)
      network head = Linear(5 -> 3)
      network zh   = Linear(8 -> 4)
      network cp   = Linear(3 -> 4)
      network dec  = MLP(2 -> 5 -> 6, activation = relu)
      prior {
        c ~ Categorical(logits = 0)
        m, s = split(cp(c))
        z ~ Normal(m, exp(s))
      }
      guide {
        h = body(x)
        c ~ Categorical(logits = head(h))
        mu, lv = split(zh(concat(h, c)))
        z ~ Normal(mu, exp(0.5 * lv))
      }
      likelihood x ~ Bernoulli(logits = dec(z))
      """;

  /**
   * Parts in every arrangement: the encoder's first layer (tanh) on [x, c, h] (two repeated runs
   * around the stacked one), the decoder's (relu) on [z, w, u] (two stacked parts as one run, then
   * a latent drawn before c, repeated), and the second latent's head on [h, x] (every part repeated, as one run: the
   * layer runs once per example and its output is repeated).
   */
  static final String ARRANGED = """
      data x : real[4] in [0, 1]
      latent u : real[2]
      latent c : onehot[3]
      latent z : real[2]
      latent w : real[2]
      network body = Linear(4 -> 3, output = tanh)
      network uh   = Linear(3 -> 4)
      network head = Linear(5 -> 3)
      network enc  = MLP(10 -> 5 -> 4, activation = tanh)
      network wh   = Linear(7 -> 4)
      network cp   = Linear(3 -> 4)
      network dec  = MLP(6 -> 5 -> 4, activation = relu)
      prior {
        u ~ Normal(0, 1)
        c ~ Categorical(logits = 0)
        m, s = split(cp(c))
        z ~ Normal(m, exp(s))
        w ~ Normal(0, 1)
      }
      guide {
        h = body(x)
        um, uv = split(uh(h))
        u ~ Normal(um, exp(0.5 * uv))
        c ~ Categorical(logits = head(concat(h, u)))
        mu, lv = split(enc(concat(x, c, h)))
        z ~ Normal(mu, exp(0.5 * lv))
        wm, wv = split(wh(concat(h, x)))
        w ~ Normal(wm, exp(0.5 * wv))
      }
      likelihood x ~ Bernoulli(logits = dec(concat(z, w, u)))
      """;

  record Run(double[] loss, Map<String, double[]> grads) {}

  static long count(Graph g, Class<?> op) { return g.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && op.isInstance(n.op())).count(); }

  /** Dense layers that still read a concatenation with a repeated part (none once factored). */
  static long unfactored(Graph g) {
    return g.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.op() instanceof Dense && n.input(0).op() instanceof Concat
        && n.input(0).inputs().stream().anyMatch(p -> p.op() instanceof RepeatRows)).count();
  }

  /** One forward and backward pass of {@code g} at fixed parameters, data and noise (drawn by each noise node's key). */
  static Run run(CompiledModel m, Graph g, DataType dtype) {
    ParameterStore base = EstimatorUnbiasednessTest.store(m);
    ParameterStore s = new ParameterStore(base.layout(), dtype);
    s.values().assign(base.values());
    Executor ex = new Executor(g, BATCH, s);
    INDArray x = ex.input("x");
    Random r = new Random(3);
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < x.columns(); j++) x.putScalar(b, j, r.nextDouble());
    ex.drawNoise(new NoiseSource(11), 4);
    ex.forward();
    ex.backward();
    Map<String, double[]> grads = new TreeMap<>();
    for (ParamEntry e : s.layout()) grads.put(e.name(), s.grad(e.name()).dup().castTo(DataType.DOUBLE).reshape(-1).toDoubleVector());
    return new Run(ex.value(g.loss()).dup().castTo(DataType.DOUBLE).reshape(-1).toDoubleVector(), grads);
  }

  /** a (factored) against b (as lowered): each loss within lossTol relative, each gradient within gradTol of its parameter's largest. */
  static void assertAgree(Run a, Run b, double lossTol, double gradTol, String what) {
    for (int i = 0; i < b.loss().length; i++) {
      assertEquals(b.loss()[i], a.loss()[i], lossTol * Math.max(1, Math.abs(b.loss()[i])), what + ": loss of row " + i);
    }
    assertEquals(b.grads().keySet(), a.grads().keySet());
    for (var e : b.grads().entrySet()) {
      double[] gb = e.getValue();
      double[] ga = a.grads().get(e.getKey());
      double largest = 0;
      for (double v : gb) largest = Math.max(largest, Math.abs(v));
      assertTrue(largest > 1e-6, what + ": " + e.getKey() + " gets no gradient, so the comparison says nothing about it");
      for (int i = 0; i < gb.length; i++) assertEquals(gb[i], ga[i], gradTol * Math.max(1e-3, largest), what + ": " + e.getKey() + "[" + i + "]");
    }
  }

  static void check(String name, String source, int expectedFactored) {
    Compiler.Compilation c = Compiler.compile(new SourceFile(name, source));
    CompiledModel m = c.compiled();
    Graph lowered = GraphLowering.lowerTraining(c.model(), c.plan(), Catalog.standard()).train();
    Graph factored = m.train();
    assertEquals(expectedFactored, unfactored(lowered), "dense layers over repeated parts as lowered");
    assertEquals(0, unfactored(factored), "every such layer is factored");
    assertTrue(count(factored, DenseRows.class) >= 2 * expectedFactored);
    assertTrue(count(factored, RepeatRows.class) < count(lowered, RepeatRows.class) + expectedFactored);
    assertEquals(lowered.params().keySet(), factored.params().keySet(), "the same parameters, by name");
    for (String p : lowered.params().keySet()) {
      assertTrue(java.util.Arrays.equals(lowered.params().get(p).paramShape(), factored.params().get(p).paramShape()), p);
    }
    assertEquals(lowered.outputs().keySet(), factored.outputs().keySet());
    assertAgree(run(m, factored, DataType.DOUBLE), run(m, lowered, DataType.DOUBLE), 1e-10, 1e-10, name + ", float64");
    assertAgree(run(m, factored, DataType.FLOAT), run(m, lowered, DataType.FLOAT), 2e-5, 1e-4, name + ", float32");
    // The evaluation graph (the model's own -ELBO) is factored the same way.
    Graph evalLowered = GraphLowering.lower(c.model(), c.plan(), Catalog.standard(), GraphLowering.Purpose.EVALUATE);
    assertEquals(0, unfactored(m.evaluate()));
    Run ea = run(m, m.evaluate(), DataType.DOUBLE);
    Run eb = run(m, evalLowered, DataType.DOUBLE);
    for (int i = 0; i < eb.loss().length; i++) assertEquals(eb.loss()[i], ea.loss()[i], 1e-10 * Math.max(1, Math.abs(eb.loss()[i])));
  }

  @Test
  void theMixturesZHeadMeetsHOncePerExampleWithTheSameLossAndGradients() {
    check("gmm.vae", GMM, 1);
  }

  @Test
  void partsInAnyArrangementGiveTheSameLossAndGradients() {
    check("arranged.vae", ARRANGED, 3);
  }

  /**
   * Under an importance-weighted objective every example fills k rows and the guide's body runs
   * once per example (row groups, Graph#apply): the factored layer reads h widened to the k rows.
   */
  @Test
  void underAnImportanceWeightedObjectiveTheLossAndGradientsAgreeToo() {
    check("gmm-iwae.vae", GMM + "train { objective = iwae(samples = 3) }\n", 1);
  }

  @Test
  void aGraphWithNothingToFactorIsLeftAsLowered() {
    // The guide's means: the z head reads [h, c] once per example, nothing repeated.
    Compiler.Compilation c = Compiler.compile(new SourceFile("gmm.vae", GMM));
    Graph lowered = GraphLowering.lower(c.model(), c.plan(), Catalog.standard(), GraphLowering.Purpose.RECONSTRUCT);
    assertEquals(1, count(lowered, Concat.class));
    assertSame(lowered, vaec.compiler.lower.RepeatedRowsFactoring.apply(lowered));
  }

  /**
   * A REBAR latent z before an enumerated one c: the decoder on [z, c] is factored in the training
   * graph and in its companion (the control variates' variance objective), whose links follow the
   * training graph's rewritten nodes. One training pass of each, with the same noise (drawn by key):
   * the same loss and the same gradients, the control variates' included.
   */
  @Test
  void aCompanionGraphFollowsTheRewrittenTrainingGraph() {
    String src = """
        data x : binary[4]
        latent z : binary[3]
        latent c : onehot[2]
        network enc = Linear(4 -> 3)
        network cls = Linear(7 -> 2)
        network dec = Linear(5 -> 4)
        prior {
          z ~ Bernoulli(logits = -0.5)
          c ~ Categorical(logits = 0)
        }
        guide {
          z ~ Bernoulli(logits = enc(x)) using rebar
          c ~ Categorical(logits = cls(concat(x, z)))
        }
        likelihood x ~ Bernoulli(logits = dec(concat(z, c)))
        """;
    Compiler.Compilation c = Compiler.compile(new SourceFile("rc.vae", src));
    CompiledModel factored = c.compiled();
    assertNotNull(factored.controlVariates());
    GraphLowering.Training t = GraphLowering.lowerTraining(c.model(), c.plan(), Catalog.standard());
    assertTrue(unfactored(t.train()) > 0 && unfactored(t.companion()) > 0, "the test needs layers to factor in both graphs");
    assertEquals(0, unfactored(factored.train()));
    assertEquals(0, unfactored(factored.controlVariates()));
    CompiledModel lowered = new CompiledModel(factored.name(), factored.file(), factored.sourceHash(), factored.data(), factored.params(),
        t.train(), factored.evaluate(), factored.logWeight(), factored.priorSample(), factored.reconstruct(), factored.decode(), t.companion(),
        factored.terms(), factored.samples(), factored.config());
    ParameterStore sa = RebarRelaxTest.store(factored, DataType.DOUBLE);
    ParameterStore sb = RebarRelaxTest.store(lowered, DataType.DOUBLE);
    TrainingPass a = new TrainingPass(factored, RebarRelaxTest.BATCH, sa);
    TrainingPass b = new TrainingPass(lowered, RebarRelaxTest.BATCH, sb);
    EstimatorUnbiasednessTest.fillData(a.main());
    EstimatorUnbiasednessTest.fillData(b.main());
    for (int step = 0; step < 2; step++) {
      a.drawNoise(new NoiseSource(17), step);
      b.drawNoise(new NoiseSource(17), step);
      a.forward();
      a.backward();
      b.forward();
      b.backward();
      double[] la = a.main().value(factored.train().loss()).dup().reshape(-1).toDoubleVector();
      double[] lb = b.main().value(lowered.train().loss()).dup().reshape(-1).toDoubleVector();
      for (int i = 0; i < la.length; i++) assertEquals(lb[i], la[i], 1e-10 * (1 + Math.abs(lb[i])), "loss of row " + i);
      for (ParamEntry e : sa.layout()) {
        double[] ga = sa.grad(e.name()).dup().reshape(-1).toDoubleVector();
        double[] gb = sb.grad(e.name()).dup().reshape(-1).toDoubleVector();
        boolean moved = false;
        for (int i = 0; i < ga.length; i++) {
          assertEquals(gb[i], ga[i], 1e-10 * (1 + Math.abs(gb[i])), "step " + step + ": d loss / d " + e.name() + "[" + i + "]");
          moved |= gb[i] != 0;
        }
        assertTrue(moved, e.name() + " got no gradient, so the comparison says nothing about it");
      }
    }
  }

  /** The factored graph of bench/gmm.vae's shape: the copies of h and the concatenation are gone. */
  @Test
  void theCopiesAndTheConcatenationAreLeftOut() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("gmm.vae", GMM));
    Graph g = c.compiled().train();
    assertEquals(0, count(g, Concat.class));
    List<Node> rows = g.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.op() instanceof DenseRows).toList();
    assertEquals(2, rows.size());
    DenseRows once = (DenseRows) rows.get(0).op();
    DenseRows stacked = (DenseRows) rows.get(1).op();
    assertEquals(1, rows.get(0).rows(), "h meets its rows once per example");
    assertEquals(3, rows.get(1).rows());
    assertEquals(0, once.from());
    assertEquals(5, once.to());
    assertEquals(5, stacked.from());
    assertEquals(8, stacked.to());
    assertTrue(stacked.bias() && stacked.addend() && !once.bias() && !once.addend());
  }
}
