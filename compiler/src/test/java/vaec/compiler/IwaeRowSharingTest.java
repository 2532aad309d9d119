package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.ops.FirstOfGroup;
import vaec.runtime.ops.RepeatEachRow;
import vaec.runtime.rng.NoiseSource;

/**
 * Under an importance-weighted objective the training graph reads the data once per example
 * ({@link FirstOfGroup}) and runs what depends only on it (the guide's networks) on batch rows,
 * widened by {@link RepeatEachRow} where the k draws join it. The bound and every parameter gradient
 * must be those of the graph with explicit replication (every op on batch x k rows): the same
 * graph rebuilt with the two row ops taken out, run on the same data and the same noise, in
 * double precision, agrees to 1e-9 (only float summation order differs: the repeat's backward
 * sums the k copies before the weight gradient's gemm instead of inside it).
 */
class IwaeRowSharingTest {
  static final int EXAMPLES = 5;

  @Test
  void iwaeGaussianMlp() {
    check(ObjectiveTest.MODEL, "objective = iwae(samples = 3)", 3, true);
  }

  @Test
  void iwaeWithDreg() {
    check(ObjectiveTest.MODEL, "objective = iwae(samples = 4, gradient = dreg)", 4, true);
  }

  @Test
  void vimco() {
    check(VimcoTest.model("using vimco", "objective = iwae(samples = 3)"), null, 3, true);
  }

  @Test
  void enumeratedLatentInsideEachSample() {
    check(IwaeTest.MIXED, "objective = iwae(samples = 3)", 3, true);
  }

  @Test
  void allLatentsEnumerated() {
    // deterministic rows: everything but the group's log-mean-exp runs once per example
    check(VimcoTest.model("", "objective = iwae(samples = 4)"), null, 4, true);
  }

  @Test
  void theElboGraphIsUntouched() {
    CompiledModel m = compile(ObjectiveTest.MODEL, "objective = elbo");
    for (Node n : m.train().nodes()) assertEquals(1, n.rowGroup(), n.toString());
  }

  static CompiledModel compile(String model, String objective) {
    String src = objective == null ? model : model.replace("OBJECTIVE", objective);
    if (src.contains("train {") && objective != null && !src.contains(objective)) throw new IllegalStateException(src);
    if (!src.contains("train {")) src = src + "train { " + objective + " }\n";
    return Compiler.compile(new SourceFile("rows.vae", src)).compiled();
  }

  static void check(String model, String objective, int k, boolean expectShared) {
    CompiledModel m = compile(model, objective);
    assertEquals(k, m.samples());
    Graph shared = m.train();
    Map<Node, Node> map = new HashMap<>();
    Graph plain = replicated(shared, map);
    long onePerExample = shared.nodes().stream().filter(n -> n.rowGroup() > 1 && n.kind() == Node.Kind.OP).count();
    if (expectShared) assertTrue(onePerExample > 0, "nothing runs once per example");
    assertTrue(shared.nodes().stream().anyMatch(n -> n.op() instanceof FirstOfGroup));

    ParameterStore a = store(m), b = store(m);
    int rows = EXAMPLES * k;
    Executor ea = new Executor(shared, rows, a), eb = new Executor(plain, rows, b);
    Random r = new Random(17);
    for (String name : shared.inputs().keySet()) {
      INDArray x = ea.input(name);
      double[][] ex = new double[EXAMPLES][(int) x.columns()];
      boolean binary = name.equals("x") && model.contains("binary[");
      boolean unit = model.contains("in [0, 1]");
      for (double[] row : ex) for (int j = 0; j < row.length; j++) row[j] = binary ? (r.nextBoolean() ? 1 : 0) : unit ? r.nextDouble() : r.nextGaussian();
      for (int i = 0; i < rows; i++) for (int j = 0; j < x.columns(); j++) x.putScalar(i, j, ex[i / k][j]);
      eb.input(name).assign(x);
    }
    NoiseSource noise = new NoiseSource(23);
    ea.drawNoise(noise, 0);
    eb.drawNoise(noise, 0);
    for (Node n : shared.nodes()) if (n.kind() == Node.Kind.NOISE) eb.value(map.get(n)).assign(ea.value(n));
    ea.forward();
    eb.forward();
    for (var e : shared.outputs().entrySet()) {
      INDArray va = ea.value(e.getValue()), vb = eb.value(plain.output(e.getKey()));
      assertEquals(rows, va.rows(), e.getKey());
      double d = va.sub(vb).amaxNumber().doubleValue();
      assertTrue(d < 1e-9, e.getKey() + ": max |diff| " + d);
    }
    ea.backward();
    eb.backward();
    for (ParamEntry p : layout(m)) {
      INDArray ga = a.grad(p.name()), gb = b.grad(p.name());
      double scale = Math.max(1e-3, gb.amaxNumber().doubleValue());
      double d = ga.sub(gb).amaxNumber().doubleValue();
      assertTrue(d < 1e-9 * scale + 1e-12, p.name() + ": max |diff| " + d + " of " + scale);
    }
    assertTrue(b.grads().amaxNumber().doubleValue() > 0, "the gradients must not all be zero");
    ea.close();
    eb.close();
  }

  static List<ParamEntry> layout(CompiledModel m) {
    return m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList();
  }

  static ParameterStore store(CompiledModel m) {
    ParameterStore s = new ParameterStore(layout(m), DataType.DOUBLE);
    for (ParamEntry e : layout(m)) {
      INDArray v = s.value(e.name());
      Random r = new Random(e.name().hashCode());
      for (long i = 0; i < v.length(); i++) v.putScalar(i, r.nextGaussian() * 0.5);
    }
    return s;
  }

  /** The same graph with every op on all rows: the row ops taken out (each maps to its input). */
  static Graph replicated(Graph g, Map<Node, Node> map) {
    Graph out = new Graph();
    for (Node n : g.nodes()) {
      // stacked branches of an enumerated latent keep their rows (Node.rows); only the row groups go
      out.setRows(Math.max(1, n.kind() == Node.Kind.OP ? n.inputRows() : n.rows()));
      Node c = switch (n.kind()) {
        case INPUT -> out.input(n.name(), n.width());
        case NOISE -> out.noise(n.name(), n.noiseKind(), n.width());
        case PARAM -> out.param(n.name(), n.paramShape());
        case CONSTANT -> n.schedule() != null ? out.scheduledConstant(n.schedule(), n.width())
            : n.constantRow() != null ? out.constantRow(n.constantRow()) : out.constant(n.constant(), n.width());
        case OP -> {
          if (n.op() instanceof FirstOfGroup || n.op() instanceof RepeatEachRow) yield map.get(n.input(0));
          Node[] in = n.inputs().stream().map(map::get).toArray(Node[]::new);
          yield out.apply(n.op(), n.origin(), in);
        }
      };
      map.put(n, c);
    }
    out.setRows(1);
    for (var e : g.outputs().entrySet()) out.output(e.getKey(), map.get(e.getValue()));
    out.setLoss(map.get(g.loss()));
    for (Node n : out.nodes()) assertEquals(1, n.rowGroup(), n.toString());
    return out;
  }
}
