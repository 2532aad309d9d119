package vaec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each benchmark's setup builds its state and one invocation runs, so that a benchmark broken by a
 * change elsewhere fails the build rather than the next person who runs bench/jmh.sh. Nothing is
 * timed here; the results are checked for the one thing each must do.
 */
class BenchmarksRunOnceTest {
  @Test
  void gemmAtEveryShapeSplitAndNot() {
    for (String shape : new String[] {"128x784x400", "128x400x784", "784x128x400:tA", "400x128x784:tA", "128x784x400:tB"}) {
      for (boolean split : new boolean[] {true, false}) {
        GemmBenchmark b = new GemmBenchmark();
        b.shape = shape;
        b.split = split;
        b.setUp();
        b.nameThread();
        try {
          b.gemm();
        } finally {
          b.restoreThreadName();
        }
        // One entry of the product, recomputed by hand.
        float expected = 0;
        long k = b.transA ? b.a.rows() : b.a.columns();
        for (long i = 0; i < k; i++) {
          float ai = b.transA ? b.a.getFloat(i, 0) : b.a.getFloat(0, i);
          float bi = b.transB ? b.b.getFloat(b.c.columns() - 1, i) : b.b.getFloat(i, b.c.columns() - 1);
          expected += ai * bi;
        }
        assertEquals(expected, b.c.getFloat(0, b.c.columns() - 1), 1e-3 * k, shape + " split=" + split);
      }
    }
    assertTrue(!Thread.currentThread().getName().equals("vaec-helper"), "the thread's name is restored");
  }

  @Test
  void adamStepMovesTheParameters() {
    AdamBenchmark b = new AdamBenchmark();
    b.setUp();
    float before = b.params.getFloat(0);
    assertTrue(b.step());
    assertTrue(b.params.getFloat(0) != before);
  }

  @Test
  void bernoulliForwardAndBackward() {
    BernoulliBenchmark b = new BernoulliBenchmark();
    b.setUp();
    b.forward();
    b.backward();
    assertTrue(b.out.sumNumber().doubleValue() < 0, "a log-probability of Bernoulli data is negative");
    assertTrue(b.gIn[1].norm2Number().doubleValue() > 0);
  }

  @Test
  void denseForwardAndBackward() {
    DenseBenchmark b = new DenseBenchmark();
    b.setUp();
    b.forward();
    b.backward();
    assertTrue(b.out.minNumber().doubleValue() >= 0, "relu outputs");
    assertTrue(b.gIn[1].norm2Number().doubleValue() > 0 && b.gIn[2].norm2Number().doubleValue() > 0);
  }

  @Test
  void parallelHandOff() {
    new ParallelBenchmark().both();
  }

  @Test
  void referenceVaeTrainingStep() {
    TrainingStepBenchmark b = new TrainingStepBenchmark();
    b.setUp();
    double first = b.step();
    assertTrue(Double.isFinite(first) && first > 0, "the loss is a finite positive -ELBO sum: " + first);
    assertEquals(AdamBenchmark.PARAMETERS, b.state.params().values().length(), "the reference VAE's parameter count");
  }
}
