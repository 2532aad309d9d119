package vaec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.Float32.Bound;

/** The one float32 range check behind model constants, estimator settings and the optimizer's lr and eps. */
class Float32Test {
  @Test
  void everyBoundRefusesWhatIsInfiniteInFloat32() {
    for (Bound b : Bound.values()) {
      assertTrue(Float32.holds(Float.MAX_VALUE, b), b.name());
      assertTrue(Float32.holds(-Float.MAX_VALUE, b), b.name());
      assertTrue(Float32.holds(0, b), b.name());
      assertFalse(Float32.holds(Math.nextUp((double) Float.MAX_VALUE), b), b.name());
      assertFalse(Float32.holds(-1e39, b), b.name());
      assertFalse(Float32.holds(Double.POSITIVE_INFINITY, b), b.name());
      assertFalse(Float32.holds(Double.NaN, b), b.name());
    }
  }

  @Test
  void theBoundsDifferOnlyInSmallValues() {
    // 1e-50 rounds to 0 in float32; 1e-40 is subnormal; MIN_NORMAL is the smallest normal float.
    assertTrue(Float32.holds(1e-50, Bound.FINITE));
    assertFalse(Float32.holds(1e-50, Bound.NONZERO));
    assertTrue(Float32.holds(1e-40, Bound.NONZERO));
    assertTrue(Float32.holds(Float.MIN_VALUE, Bound.NONZERO));
    assertFalse(Float32.holds(1e-40, Bound.NORMAL));
    assertFalse(Float32.holds(-1e-40, Bound.NORMAL));
    assertTrue(Float32.holds(Float.MIN_NORMAL, Bound.NORMAL));
  }

  @Test
  void theMessageIsWordedAlikeForEveryBound() {
    assertNull(Float32.problem("x", 1, Bound.NORMAL));
    String prefix = "beta is 1.0E40, outside the range of 32-bit floats, in which vaec computes; it must be ";
    assertEquals(prefix + "at most 3.4028234663852886E38 in magnitude", Float32.problem("beta", 1e40, Bound.FINITE));
    assertTrue(Float32.problem("beta", 1e40, Bound.NONZERO).startsWith(prefix), Float32.problem("beta", 1e40, Bound.NONZERO));
    assertEquals("lr is 1.0E-40, outside the range of 32-bit floats, in which vaec computes; it must be between 1.1754943508222875E-38 and "
        + "3.4028234663852886E38 in magnitude (the normal floats)", Float32.problem("lr", 1e-40, Bound.NORMAL));
    assertEquals("this number is -1.0E-50, outside the range of 32-bit floats, in which vaec computes; it must be at most "
        + "3.4028234663852886E38 in magnitude, and 0 or large enough not to round to 0 (the smallest 32-bit float is 1.4E-45)",
        Float32.problem("this number", -1e-50, Bound.NONZERO));
  }
}
