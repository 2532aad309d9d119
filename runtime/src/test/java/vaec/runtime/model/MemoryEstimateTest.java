package vaec.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.optim.OptimizerSpec;

class MemoryEstimateTest {
  static final List<ParamInit> PARAMS = List.of(ParamInit.uniform("enc.0.W", 1, 16, 8), ParamInit.constant("enc.0.b", 0, 8),
      ParamInit.uniform("dec.0.W", 1, 2, 16), ParamInit.constant("dec.0.b", 0, 16));

  static Graph graph() {
    Graph g = new Graph();
    g.input("x", 16);
    g.noise("eps", NoiseKind.STANDARD_NORMAL, 2);
    g.param("enc.0.W", 16, 8);   // parameters are counted once, from the list, not as activations
    return g;
  }

  @Test
  void countsParametersGradientsMomentsAndActivations() {
    MemoryEstimate m = MemoryEstimate.of(PARAMS, List.of(graph()), 10, OptimizerSpec.adam());
    long n = 16 * 8 + 8 + 2 * 16 + 16;
    assertEquals(n, m.parameters());
    assertEquals(4 * n, m.parameterBytes());
    assertEquals(4 * n, m.gradientBytes());
    assertEquals(8 * n, m.optimizerBytes());
    // Widths 16 + 2 at batch 10, value and gradient, 4 bytes each.
    assertEquals(2 * 18 * 10 * 4, m.activationBytes());
    assertEquals(16 * n + 1440, m.totalBytes());
    assertEquals("enc", m.largestNetwork());
    assertEquals(136, m.largestNetworkParameters());
    // SGD keeps no moments.
    assertEquals(0, MemoryEstimate.of(PARAMS, List.of(graph()), 10, OptimizerSpec.sgd(0.1)).optimizerBytes());
  }

  @Test
  void refusesWhatDoesNotFitWithTheNumbers() {
    MemoryEstimate m = MemoryEstimate.of(PARAMS, List.of(graph()), 10, OptimizerSpec.adam());
    m.require(new MemoryEstimate.Available(m.totalBytes(), "test"));
    UserError e = assertThrows(UserError.class, () -> m.require(new MemoryEstimate.Available(m.totalBytes() - 1, "the test's limit")));
    assertTrue(e.getMessage().contains("184 parameters"), e.getMessage());
    assertTrue(e.getMessage().contains("(4,384 bytes: parameters"), e.getMessage());
    assertTrue(e.getMessage().contains("(4,383 bytes) are available (the test's limit)"), e.getMessage());
    assertTrue(e.getMessage().contains("the largest network, enc, has 136 parameters"), e.getMessage());
  }

  @Test
  void theIssuesNetworkIsRefusedWithoutAllocating() {
    // MLP(4 -> 100000 -> 100000 -> 784), weights only: 10,078,800,000 parameters, more than one flat vector holds.
    List<ParamInit> huge = List.of(ParamInit.uniform("net.0.W", 1, 4, 100_000), ParamInit.uniform("net.1.W", 1, 100_000, 100_000),
        ParamInit.uniform("net.2.W", 1, 100_000, 784));
    MemoryEstimate m = MemoryEstimate.of(huge, List.of(graph()), 128, OptimizerSpec.adam());
    assertEquals(10_078_800_000L, m.parameters());
    assertEquals(16 * m.parameters() + 2 * 18 * 128 * 4, m.totalBytes());
    UserError e = assertThrows(UserError.class, () -> m.require(new MemoryEstimate.Available(Long.MAX_VALUE, "none")));
    assertTrue(e.getMessage().contains("10,078,800,000 parameters"), e.getMessage());
  }

  @Test
  void availableMemoryIsPositiveAndNamed() {
    MemoryEstimate.Available a = MemoryEstimate.available();
    assertTrue(a.bytes() > 0 && !a.limit().isEmpty(), a.toString());
  }

  @Test
  void allocationFailuresAreRecognized() {
    assertTrue(MemoryEstimate.allocationFailure(new RuntimeException("x", new RuntimeException("Allocation failed: std::bad_alloc")))
        .startsWith("out of memory while running the model"));
    assertTrue(MemoryEstimate.allocationFailure(new OutOfMemoryError("Cannot allocate new FloatPointer")) != null);
    assertNull(MemoryEstimate.allocationFailure(new IllegalStateException("something else")));
  }

  @Test
  void bytesAreReadable() {
    assertEquals("512 bytes", MemoryEstimate.bytes(512));
    assertEquals("1.5 KiB (1,536 bytes)", MemoryEstimate.bytes(1536));
    assertEquals("150.2 GiB (161,260,806,400 bytes)", MemoryEstimate.bytes(161_260_806_400L));
  }
}
