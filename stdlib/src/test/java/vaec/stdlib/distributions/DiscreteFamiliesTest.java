package vaec.stdlib.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.ConcreteLogProb;
import vaec.runtime.ops.ConcreteRsample;
import vaec.runtime.ops.RelaxedBernoulliRsample;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.Catalog;

/**
 * The discrete families and their relaxations as the compiler sees them: catalog entries, the
 * facts the planner reads, and lowerings that run. The ops' mathematics is tested in the runtime.
 */
class DiscreteFamiliesTest {
  static final int K = 4;
  static final int BATCH = 64;

  @Test
  void catalogListsTheRelaxedFamiliesAndTheOneHotName() {
    Catalog c = Catalog.standard();
    DistributionFamily relaxed = c.distribution("RelaxedBernoulli").orElseThrow();
    DistributionFamily concrete = c.distribution("Concrete").orElseThrow();
    DistributionFamily oneHot = c.distribution("OneHotCategorical").orElseThrow();
    for (DistributionFamily f : List.of(relaxed, concrete)) {
      assertTrue(f.hasPathwiseSampler(), f.name());
      assertEquals(false, f.isDiscrete(), f.name());
      assertEquals(ValueDomain.UNIT_INTERVAL, f.support(), f.name());
      assertEquals(f.name() + "(logits, temperature)", f.signature());
      assertEquals(ParamSpec.Constraint.POSITIVE, f.parameterizations().get(0).get(1).constraint());
    }
    assertInstanceOf(Categorical.class, oneHot);
    assertEquals("OneHotCategorical", oneHot.name());
    assertEquals(ValueDomain.ONE_HOT, oneHot.support());
  }

  @Test
  void temperatureIsReadFromTheConstantArgument() {
    Graph g = new Graph();
    Map<String, Node> args = Map.of("logits", g.param("l", BATCH, K), "temperature", g.constant(0.4, K));
    Node y = new Concrete().rsample(g, SourceRef.NONE, args, K, "z");
    assertEquals(0.4, ((ConcreteRsample) y.op()).temperature());
    assertEquals(NoiseKind.UNIFORM, y.input(1).noiseKind());
    assertEquals(0.4, ((ConcreteLogProb) new Concrete().logProb(g, SourceRef.NONE, y, args).op()).temperature());
    Node b = new RelaxedBernoulli().rsample(g, SourceRef.NONE, args, K, "b");
    assertEquals(0.4, ((RelaxedBernoulliRsample) b.op()).temperature());
  }

  @Test
  void aComputedTemperatureIsRefusedWithAClearMessage() {
    Graph g = new Graph();
    Node logits = g.param("l", BATCH, K);
    Map<String, Node> args = Map.of("logits", logits, "temperature", logits);
    for (DistributionFamily f : List.of(new Concrete(), new RelaxedBernoulli())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.rsample(g, SourceRef.NONE, args, K, "z"));
      assertTrue(e.getMessage().contains("temperature of " + f.name() + " must be a constant number"), e.getMessage());
    }
  }

  @Test
  void loweredSamplersDrawValuesInTheirSupportAndScoreThemFinitely() {
    Graph g = new Graph();
    Node logits = g.param("logits", BATCH, K);
    Map<String, Node> relaxedArgs = Map.of("logits", logits, "temperature", g.constant(0.5, K));
    Map<String, Node> discreteArgs = Map.of("logits", logits);
    Concrete concrete = new Concrete();
    RelaxedBernoulli relaxed = new RelaxedBernoulli();
    Node simplex = concrete.rsample(g, SourceRef.NONE, relaxedArgs, K, "c");
    g.output("concrete", simplex);
    g.output("concrete_lp", concrete.logProb(g, SourceRef.NONE, simplex, relaxedArgs));
    Node unit = relaxed.rsample(g, SourceRef.NONE, relaxedArgs, K, "r");
    g.output("relaxed", unit);
    g.output("relaxed_lp", relaxed.logProb(g, SourceRef.NONE, unit, relaxedArgs));
    g.output("bernoulli", new Bernoulli().sample(g, SourceRef.NONE, discreteArgs, K, "b"));
    g.output("categorical", new Categorical().sample(g, SourceRef.NONE, discreteArgs, K, "k"));

    ParameterStore store = new ParameterStore(List.of(new ParamEntry("logits", new long[] {BATCH, K})), DataType.FLOAT);
    store.value("logits").assign(Nd4j.linspace(-3, 3, BATCH * K, DataType.FLOAT).reshape(BATCH, K));
    Executor ex = new Executor(g, BATCH, store);
    ex.drawNoise(new NoiseSource(5), 0);
    ex.forward();
    assertEquals(null, ex.firstNonFiniteValue());
    double[][] c = ex.value("concrete").castTo(DataType.DOUBLE).toDoubleMatrix();
    double[][] r = ex.value("relaxed").castTo(DataType.DOUBLE).toDoubleMatrix();
    double[][] b = ex.value("bernoulli").castTo(DataType.DOUBLE).toDoubleMatrix();
    double[][] k = ex.value("categorical").castTo(DataType.DOUBLE).toDoubleMatrix();
    for (int i = 0; i < BATCH; i++) {
      double sum = 0;
      double ones = 0;
      for (int j = 0; j < K; j++) {
        sum += c[i][j];
        assertTrue(r[i][j] >= 0 && r[i][j] <= 1, "relaxed Bernoulli draw in [0, 1]");
        assertTrue(b[i][j] == 0 || b[i][j] == 1, "Bernoulli draw is 0 or 1");
        assertTrue(k[i][j] == 0 || k[i][j] == 1, "categorical draw is one-hot");
        ones += k[i][j];
      }
      assertEquals(1.0, sum, 1e-5, "Concrete draw on the simplex");
      assertEquals(1.0, ones, "categorical draw has one 1");
    }
  }

  /**
   * A Bernoulli density with a constant logit is lowered as c sum(x) - w softplus(c), without a
   * softplus per element: the same value and the same gradient in x as the element-wise op, in
   * float64, for logits of both signs and far out (where a naive softplus overflows).
   */
  @Test
  void constantLogitsScoreLikeTheElementWiseDensity() {
    for (double c : new double[] {0, -0.5, 3, -40, 60}) {
      Graph g = new Graph();
      Node x = g.param("x", BATCH, K);
      Node fast = new Bernoulli().logProb(g, SourceRef.NONE, x, Map.of("logits", g.constant(c, K)));
      assertTrue(!(fast.op() instanceof vaec.runtime.ops.BernoulliLogitsLogProb), "a constant logit needs no element-wise softplus");
      Node slow = g.apply(new vaec.runtime.ops.BernoulliLogitsLogProb(), SourceRef.NONE, x, g.param("l", BATCH, K));
      g.output("fast", fast);
      g.output("slow", slow);
      g.setLoss(fast);
      ParameterStore store = new ParameterStore(List.of(new ParamEntry("x", new long[] {BATCH, K}), new ParamEntry("l", new long[] {BATCH, K})),
          DataType.DOUBLE);
      store.value("x").assign(Nd4j.rand(DataType.DOUBLE, BATCH, K));
      store.value("l").assign(c);
      Executor ex = new Executor(g, BATCH, store);
      ex.forward();
      ex.backward();
      double[] f = ex.value("fast").dup().reshape(-1).toDoubleVector();
      double[] s = ex.value("slow").dup().reshape(-1).toDoubleVector();
      for (int i = 0; i < BATCH; i++) assertEquals(s[i], f[i], 1e-9 * (1 + Math.abs(s[i])), "logit " + c + ", row " + i);
      // d(mean loss)/dx = c / BATCH for every element.
      double[] gx = store.grad("x").dup().reshape(-1).toDoubleVector();
      for (double v : gx) assertEquals(c / BATCH, v, 1e-12, "logit " + c);
    }
  }
}
