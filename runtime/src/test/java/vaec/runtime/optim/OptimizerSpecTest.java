package vaec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OptimizerSpecTest {
  @Test
  void rangesAreCheckedInOnePlace() {
    assertNull(OptimizerSpec.problem("beta1", 0));
    assertNull(OptimizerSpec.problem("beta2", 0.9999));
    assertEquals("beta1 must be at least 0 and below 1, got 1", OptimizerSpec.problem("beta1", 1));
    assertEquals("beta2 must be at least 0 and below 1, got -0.1", OptimizerSpec.problem("beta2", -0.1));
    assertEquals("eps must be a positive number, got 0", OptimizerSpec.problem("eps", 0));
    assertEquals("lr must be a positive number, got Infinity", OptimizerSpec.problem("lr", Double.POSITIVE_INFINITY));
    // Positive doubles that float32, the optimizer's arithmetic, cannot hold: 0 or infinite there.
    assertEquals("lr is 1.0E-320, outside the range of 32-bit floats, in which vaec computes; it must be between "
        + (double) Float.MIN_NORMAL + " and " + (double) Float.MAX_VALUE + " in magnitude (the normal floats)", OptimizerSpec.problem("lr", 1e-320));
    assertTrue(OptimizerSpec.problem("eps", 1e39).startsWith("eps is 1.0E39, outside the range of 32-bit floats"), OptimizerSpec.problem("eps", 1e39));
    // Subnormal: held by float32 (a model constant may be), refused here.
    assertTrue(OptimizerSpec.problem("eps", 1e-40) != null);
    assertEquals(null, OptimizerSpec.problem("eps", Float.MIN_NORMAL));
    assertEquals(null, OptimizerSpec.problem("lr", 1e-30));
    assertTrue(OptimizerSpec.problem("lr", Double.NaN) != null);
    assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.adam().with("beta1", 1.5));
  }

  @Test
  void createdOptimizerUsesEverySetting() {
    // One Adam step with eps = 1 moves the parameter by lr * g / (|g| + 1), not by lr.
    OptimizerSpec spec = OptimizerSpec.adam().with("lr", 0.1).with("eps", 1.0);
    Optimizer o = spec.create(1);
    INDArray p = Nd4j.createFromArray(new float[] {1f});
    o.step(p, Nd4j.createFromArray(new float[] {0.5f}));
    assertEquals(1 - 0.1 * 0.5 / 1.5, p.getFloat(0), 1e-6);
    assertEquals("adam", o.name());
    Optimizer sgd = OptimizerSpec.sgd(0.5).create(1);
    sgd.step(p, Nd4j.createFromArray(new float[] {1f}));
    assertEquals(1 - 0.1 * 0.5 / 1.5 - 0.5, p.getFloat(0), 1e-6);
    assertEquals("Adam(lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1)", spec.toString());
    assertEquals("SGD(lr = 0.5)", OptimizerSpec.sgd(0.5).toString());
    assertTrue(spec.takes("beta2") && !OptimizerSpec.sgd(1).takes("beta2"));
  }
}
