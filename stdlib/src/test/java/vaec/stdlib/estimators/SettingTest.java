package vaec.stdlib.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A setting's range check: its own bounds, whole numbers, and the float32 the graphs compute in. */
class SettingTest {
  static final Setting BETA = Setting.number("beta", 1.0, 0, false, Double.POSITIVE_INFINITY, false, "the KL weight");
  static final Setting SAMPLES = Setting.number("samples", 5, 1, false, Double.POSITIVE_INFINITY, true, "samples per example");

  @Test
  void aFractionBeyondFloat32IsRefusedAndTheLargestFloatIsNot() {
    // Was accepted: beta = 1e40 compiled and made the loss infinite at the first step, without a line.
    assertEquals("beta is 1.0E40, outside the range of 32-bit floats, in which vaec computes; it must be at most "
        + (double) Float.MAX_VALUE + " in magnitude (the KL weight)", BETA.check(1e40));
    assertTrue(BETA.check(-1e40) != null);
    assertNull(BETA.check((double) Float.MAX_VALUE));
    assertNull(BETA.check(1e-50));   // in range; 0 in float32, as beta = 0 is allowed
  }

  @Test
  void theRangeAndWholeNumbersAreCheckedAsBefore() {
    assertEquals("beta must be a non-negative number (the KL weight)", BETA.check(-1.0));
    assertEquals("samples must be a whole number from 1 (samples per example)", SAMPLES.check(2.5));
    assertNull(SAMPLES.check(1e40));   // a count, not a float32 value in the graphs
  }
}
