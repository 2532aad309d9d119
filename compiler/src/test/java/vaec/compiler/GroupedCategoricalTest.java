package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.distributions.GroupedFamily;
import vaec.stdlib.estimators.Estimators;

/** Latents of several one-hot groups: planning, enumeration, and draws that are one-hot per group. */
class GroupedCategoricalTest {
  static String model(int groups, int classes, String using) {
    return """
        data x : binary[6]
        latent z : onehot[{G}, {K}]
        network enc = Linear(6 -> {W})
        network dec = Linear({W} -> 6)
        prior z ~ Categorical(logits = 0)
        guide z ~ Categorical(logits = enc(x)) {USING}
        likelihood x ~ Bernoulli(logits = dec(z))
        """.replace("{G}", "" + groups).replace("{K}", "" + classes).replace("{W}", "" + groups * classes).replace("{USING}", using);
  }

  @Test
  void groupsAreRecognizedAndPlannedBySupportSize() {
    var small = Compiler.compile(new SourceFile("g.vae", model(2, 3, "")));
    assertTrue(small.plan().of("z").guide().family() instanceof GroupedFamily);
    assertEquals("enumerate", small.plan().of("z").estimator().keyword());   // 3^2 = 9 values
    assertEquals(9, small.plan().of("z").guide().family().enumerate(6).size());
    var large = Compiler.compile(new SourceFile("g.vae", model(20, 10, "")));
    assertEquals("score_function", large.plan().of("z").estimator().keyword());   // 10^20 values
  }

  @Test
  void drawsAreOneHotInEveryGroup() {
    for (String using : List.of("", "using straight_through(temperature = 0.5)")) {
      CompiledModel m = Compiler.compile(new SourceFile("g.vae", model(4, 5, using))).compiled();
      List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
      ParameterStore s = new ParameterStore(layout, DataType.FLOAT);
      java.util.Random r = new java.util.Random(3);
      for (long i = 0; i < s.values().length(); i++) s.values().putScalar(i, (float) r.nextGaussian());
      Executor ex = new Executor(m.priorSample(), 50, s);
      ex.drawNoise(new NoiseSource(5), 0);
      ex.forward();
      // The prior-sample graph's latent: find the concat of the four group draws feeding the decoder.
      INDArray z = null;
      for (var n : m.priorSample().nodes()) {
        if (n.kind() == vaec.runtime.graph.Node.Kind.OP && n.op() instanceof vaec.runtime.ops.Concat) z = ex.value(n);
      }
      for (int b = 0; b < 50; b++) {
        for (int gi = 0; gi < 4; gi++) {
          double sum = 0;
          for (int k = 0; k < 5; k++) {
            double v = z.getDouble(b, gi * 5 + k);
            assertTrue(v == 0.0 || v == 1.0, "value " + v);
            sum += v;
          }
          assertEquals(1.0, sum, "row " + b + " group " + gi);
        }
      }
    }
  }

  @Test
  void enumeratedGroupedModelTrainsAndEvaluates() {
    CompiledModel m = Compiler.compile(new SourceFile("g.vae", model(2, 3, ""))).compiled();
    List<ParamEntry> layout = m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
    ParameterStore s = new ParameterStore(layout, DataType.DOUBLE);
    java.util.Random r = new java.util.Random(9);
    for (long i = 0; i < s.values().length(); i++) s.values().putScalar(i, r.nextGaussian() * 0.5);
    Executor ex = new Executor(m.train(), 4, s);
    ex.input("x").assign(0);
    ex.input("x").getRow(0).putScalar(1, 1.0);
    ex.forward();
    ex.backward();
    double loss = ex.value("loss").meanNumber().doubleValue();
    assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    assertTrue(s.grads().norm2Number().doubleValue() > 0);
  }
}
