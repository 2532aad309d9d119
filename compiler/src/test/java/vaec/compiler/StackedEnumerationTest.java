package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.lower.GraphLowering;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.RepeatRows;
import vaec.runtime.ops.WeightedBlockSum;
import vaec.stdlib.Catalog;

/**
 * The stacked lowering of enumerated latents (the rest of the model lowered once on all values,
 * one block of rows per value) against the branched one (lowered once per value): the same loss
 * per example and the same gradient of every parameter, up to the order of float sums, on a model
 * with two enumerated latents where the second one's guide and prior read the first.
 */
class StackedEnumerationTest {
  static final String TWO_ENUMERATED = """
      data x : real[4] in [0, 1]
      latent c1 : onehot[3]
      latent c2 : onehot[2]
      network e1  = Linear(4 -> 3)
      network e2  = Linear(7 -> 2)
      network p2  = Linear(3 -> 2)
      network dec = MLP(5 -> 6 -> 4, activation = tanh)
      prior {
        c1 ~ Categorical(logits = 0)
        c2 ~ Categorical(logits = p2(c1))
      }
      guide {
        c1 ~ Categorical(logits = e1(x))
        c2 ~ Categorical(logits = e2(concat(x, c1)))
      }
      likelihood x ~ Bernoulli(logits = dec(concat(c1, c2)))
      """;
  static final int BATCH = 5;

  record Run(double[] loss, java.util.Map<String, double[]> grads) {}

  static Run run(Compiler.Compilation c, Graph train) {
    ParameterStore s = EstimatorUnbiasednessTest.store(c.compiled());
    Executor ex = new Executor(train, BATCH, s);
    INDArray x = ex.input("x");
    Random r = new Random(3);
    for (int b = 0; b < BATCH; b++) for (int j = 0; j < 4; j++) x.putScalar(b, j, r.nextDouble());
    ex.forward();
    ex.backward();
    java.util.Map<String, double[]> g = new java.util.TreeMap<>();
    for (var p : c.compiled().params()) g.put(p.name(), s.grad(p.name()).dup().reshape(-1).toDoubleVector());
    return new Run(ex.value(train.loss()).dup().reshape(-1).toDoubleVector(), g);
  }

  static long count(Graph g, Class<?> op) { return g.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && op.isInstance(n.op())).count(); }

  @Test
  void stackedAndBranchedLoweringsAgreeOnLossAndGradients() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("two.vae", TWO_ENUMERATED));
    assertEquals("enumerate", c.plan().of("c1").estimator().keyword());
    assertEquals("enumerate", c.plan().of("c2").estimator().keyword());
    Graph stacked = c.compiled().train();
    Graph branched = GraphLowering.lowerTraining(c.model(), c.plan(), Catalog.standard(), false).train();
    // The stacked graph runs the decoder's two layers once (on 3 x 2 blocks of rows), the branched one 6 times.
    assertTrue(count(stacked, WeightedBlockSum.class) >= 2);
    assertTrue(count(stacked, RepeatRows.class) > 0);
    assertEquals(0, count(branched, RepeatRows.class));
    long decoderStacked = stacked.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.op() instanceof Dense
        && n.inputs().stream().anyMatch(i -> "dec.1.W".equals(i.name()))).count();
    long decoderBranched = branched.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.op() instanceof Dense
        && n.inputs().stream().anyMatch(i -> "dec.1.W".equals(i.name()))).count();
    assertEquals(1, decoderStacked);
    assertEquals(6, decoderBranched);

    Run a = run(c, stacked);
    Run b = run(c, branched);
    for (int i = 0; i < BATCH; i++) assertEquals(b.loss()[i], a.loss()[i], 1e-10 * Math.max(1, Math.abs(b.loss()[i])), "loss of row " + i);
    assertEquals(b.grads().keySet(), a.grads().keySet());
    double largest = 0;
    for (var e : b.grads().entrySet()) {
      double[] ga = a.grads().get(e.getKey());
      for (int i = 0; i < ga.length; i++) {
        assertEquals(e.getValue()[i], ga[i], 1e-10, e.getKey() + "[" + i + "]");
        largest = Math.max(largest, Math.abs(ga[i]));
      }
    }
    assertTrue(largest > 1e-3, "the gradients must not all vanish: " + largest);
  }

  /**
   * A Gaussian latent drawn before the enumerated one, whose prior reads it: the prior term waits
   * until c is drawn and is lowered in the stacked branches, on copies of z's draw. Same loss and
   * gradients as the branched lowering (the noise buffers are left at zero, so z is its mean in both).
   */
  static final String PRIOR_WAITS_FOR_ENUMERATED = """
      data x : real[4] in [0, 1]
      latent z : real[2]
      latent c : onehot[3]
      network enc = Linear(4 -> 4)
      network cls = Linear(6 -> 3)
      network cp  = Linear(3 -> 4)
      network dec = Linear(5 -> 4)
      prior {
        c ~ Categorical(logits = 0)
        m, s = split(cp(c))
        z ~ Normal(m, exp(s))
      }
      guide {
        mu, lv = split(enc(x))
        z ~ Normal(mu, exp(0.5 * lv))
        c ~ Categorical(logits = cls(concat(x, z)))
      }
      likelihood x ~ Bernoulli(logits = dec(concat(z, c)))
      """;

  @Test
  void aPriorTermWaitingForTheEnumeratedLatentReadsCopiesOfTheEarlierDraw() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("wait.vae", PRIOR_WAITS_FOR_ENUMERATED));
    assertEquals("enumerate", c.plan().of("c").estimator().keyword());
    assertEquals("z", c.plan().latents().get(0).latent().name());
    Graph stacked = c.compiled().train();
    Graph branched = GraphLowering.lowerTraining(c.model(), c.plan(), Catalog.standard(), false).train();
    assertTrue(count(stacked, RepeatRows.class) > 0);
    Run a = run(c, stacked);
    Run b = run(c, branched);
    for (int i = 0; i < BATCH; i++) assertEquals(b.loss()[i], a.loss()[i], 1e-10 * Math.max(1, Math.abs(b.loss()[i])), "loss of row " + i);
    for (var e : b.grads().entrySet()) {
      double[] ga = a.grads().get(e.getKey());
      for (int i = 0; i < ga.length; i++) assertEquals(e.getValue()[i], ga[i], 1e-10, e.getKey() + "[" + i + "]");
    }
    assertTrue(java.util.Arrays.stream(a.grads().get("cp.0.W")).anyMatch(v -> Math.abs(v) > 1e-4), "the waiting prior term reaches its network");
  }

  /** A score-function latent after an enumerated one reads the batch as a whole (its running baseline): branches stay separate. */
  @Test
  void aScoreFunctionLatentAfterAnEnumeratedOneKeepsOneBranchPerValue() {
    String m = TWO_ENUMERATED.replace("c2 ~ Categorical(logits = e2(concat(x, c1)))", "c2 ~ Categorical(logits = e2(concat(x, c1))) using score_function");
    Compiler.Compilation c = Compiler.compile(new SourceFile("sf.vae", m));
    assertEquals("score_function", c.plan().of("c2").estimator().keyword());
    assertEquals(0, count(c.compiled().train(), RepeatRows.class));
    assertEquals(0, count(c.compiled().train(), WeightedBlockSum.class));
  }
}
