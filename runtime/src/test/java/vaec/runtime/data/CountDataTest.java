package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

/** The {@code count} domain: non-negative whole numbers, checked against the data. */
class CountDataTest {
  private static Dataset table(int rows, int width, float... values) {
    return new Dataset("data/counts.csv", rows, width, values, 0, 0);
  }

  @Test
  void countsAreWholeNonNegativeNumbers() {
    assertDoesNotThrow(() -> DataChecks.check(table(2, 2, 0, 3, 17, 1e6f), 2, ValueDomain.COUNT, "n : count[2]"));
    UserError frac = assertThrows(UserError.class, () -> DataChecks.check(table(1, 3, 0, 2.5f, 1), 3, ValueDomain.COUNT, "n : count[3]"));
    assertEquals("data/counts.csv: row 1, column 2 holds 2.5, which is outside count as the model declares n : count[3]"
        + " (count data are whole numbers 0, 1, 2, ...)", frac.getMessage());
    UserError neg = assertThrows(UserError.class, () -> DataChecks.check(table(2, 1, 4, -1), 1, ValueDomain.COUNT, "n : count[1]"));
    assertTrue(neg.getMessage().startsWith("data/counts.csv: row 2, column 1 holds -1.0, which is outside count"), neg.getMessage());
  }

  @Test
  void countContainsBinaryButNotFractions() {
    assertTrue(ValueDomain.COUNT.contains(ValueDomain.COUNT));
    assertTrue(ValueDomain.COUNT.contains(ValueDomain.BINARY));
    assertFalse(ValueDomain.COUNT.contains(ValueDomain.UNIT_INTERVAL));
    assertFalse(ValueDomain.COUNT.contains(ValueDomain.REAL));
    assertTrue(ValueDomain.REAL.contains(ValueDomain.COUNT));
    assertFalse(ValueDomain.UNIT_INTERVAL.contains(ValueDomain.COUNT));
    assertEquals("count[5]", DataInput.typeText(ValueDomain.COUNT, 5));
  }
}
