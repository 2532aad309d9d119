package vaec.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.RowSum;

/** An executor frees exactly its own buffers on close, and the step profile accounts for its ops. */
class ExecutorMemoryTest {
  static final int BATCH = 5;

  static Graph graph() {
    Graph g = new Graph();
    Node x = g.input("x", 3);
    Node h = g.apply(new Dense(Activation.TANH), SourceRef.NONE, x, g.param("W", 3, 4), g.param("b", 4));
    Node y = g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, h, h);
    g.setLoss(g.apply(new RowSum(), SourceRef.NONE, y));
    return g;
  }

  static ParameterStore store(Graph g) {
    List<ParamEntry> layout = new ArrayList<>();
    for (Node p : g.params().values()) layout.add(new ParamEntry(p.name(), p.paramShape()));
    return new ParameterStore(layout, DataType.FLOAT);
  }

  @Test
  void closeFreesTheExecutorsBuffersAndLeavesTheParameters() {
    Graph g = graph();
    ParameterStore s = store(g);
    s.values().assign(0.25);
    Executor ex = new Executor(g, BATCH, s);
    // Values: input 3, dense 4, mul 4, row sum 1; gradients: dense 4, mul 4, loss 1; dense scratch
    // 4 + 1; and one pooled buffer of width 4 for h * h's second contribution to h's gradient.
    long floats = BATCH * (3 + 4 + 4 + 1) + BATCH * (4 + 4 + 1) + BATCH * (4 + 1) + BATCH * 4;
    assertEquals(floats * 4, ex.ownedBytes());
    ex.input("x").assign(1.0);
    ex.forward();
    ex.backward();
    assertFalse(ex.isClosed());
    ex.close();
    assertTrue(ex.isClosed());
    assertEquals(0, ex.ownedBytes());
    ex.close();   // a second close does nothing
    assertEquals(0.25, s.values().getDouble(0), 0.0);   // the store's own buffers stay usable
    assertEquals(s.values().length(), s.grads().length());
  }

  @Test
  void profileChargesGemmAndElementWiseTimeToTheOpsThatRanThem() {
    Graph g = graph();
    Executor ex = new Executor(g, BATCH, store(g));
    StepProfile p = new StepProfile(ex);
    ex.input("x").assign(0.5);
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      p.forward();
      p.backward();
      p.addStep(System.nanoTime() - t);
    }
    assertEquals(3, p.steps());
    List<StepProfile.Row> cats = p.categories();
    assertTrue(cats.get(0).label().startsWith("gemm"));
    assertTrue(cats.get(0).msPerStep() > 0, "the dense layer's gemms were timed");
    double total = 0;
    for (StepProfile.Row r : cats) total += r.share();
    assertEquals(1.0, total, 1e-9);   // the categories split the step's wall time exactly
    List<String> ops = p.byOp().stream().map(StepProfile.Row::label).toList();
    assertTrue(ops.contains("dense[tanh]"), ops.toString());
  }

  @Test
  void profileIsOnlyForANonEmptyNonZeroSetting() {
    assertFalse(StepProfile.enabledBy(null));
    assertFalse(StepProfile.enabledBy(""));
    assertFalse(StepProfile.enabledBy("0"));
    assertTrue(StepProfile.enabledBy("1"));
  }
}
