package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

class DataChecksTest {
  private static Dataset table(int rows, int width, float... values) {
    return new Dataset("data/train.csv", rows, width, values, 0, 0);
  }

  @Test
  void acceptsMatchingData() {
    assertDoesNotThrow(() -> DataChecks.check(table(2, 2, 0, 1, 0.5f, 1), 2, ValueDomain.UNIT_INTERVAL, "x : [0,1][2]"));
    assertDoesNotThrow(() -> DataChecks.check(table(1, 2, 0, 1), 2, ValueDomain.BINARY, "x : binary[2]"));
    assertDoesNotThrow(() -> DataChecks.check(table(1, 2, -3e6f, 7), 2, ValueDomain.REAL, "x : real[2]"));
  }

  @Test
  void wrongWidthNamesBothSizesAndTheDeclaration() {
    Dataset d = new Dataset("data/train.csv", 1, 700, new float[700], 0, 0);
    UserError e = assertThrows(UserError.class, () -> DataChecks.check(d, 784, ValueDomain.REAL, "x : real[784]"));
    assertEquals("data/train.csv: each example has 700 values but the model declares x : real[784]", e.getMessage());
  }

  @Test
  void noExamplesIsReported() {
    UserError e = assertThrows(UserError.class,
        () -> DataChecks.check(table(0, 3), 3, ValueDomain.REAL, "x : real[3]"));
    assertEquals("data/train.csv holds no examples", e.getMessage());
  }

  @Test
  void valueOutsideDomainNamesRowColumnValueAndDomain() {
    UserError e = assertThrows(UserError.class, () -> DataChecks.check(
        table(2, 3, 0, 0.5f, 1, 0, 255, 2), 3, ValueDomain.UNIT_INTERVAL, "x : [0,1][3]"));
    assertEquals("data/train.csv: row 2, column 2 holds 255.0, which is outside [0,1] as the model"
        + " declares x : [0,1][3] (pixel values 0..255 must be divided by 255)", e.getMessage());
  }

  @Test
  void nonBinaryValueIsReported() {
    UserError e = assertThrows(UserError.class, () -> DataChecks.check(
        table(1, 3, 0, 1, 0.5f), 3, ValueDomain.BINARY, "x : binary[3]"));
    assertEquals("data/train.csv: row 1, column 3 holds 0.5, which is outside binary as the model"
        + " declares x : binary[3] (to turn intensities in [0, 1] into 0/1 data, set binarize = dynamic"
        + " or pass --binarize dynamic)", e.getMessage());
  }

  @Test
  void oneHotRowsHoldExactlyOneOnePerGroup() {
    assertDoesNotThrow(() -> DataChecks.check(table(2, 3, 0, 1, 0, 1, 0, 0), 3, ValueDomain.ONE_HOT, 3, "y : onehot[3]"));
    UserError none = assertThrows(UserError.class, () -> DataChecks.check(
        table(2, 3, 0, 1, 0, 0, 0, 0), 3, ValueDomain.ONE_HOT, 3, "y : onehot[3]"));
    assertEquals("data/train.csv: row 2 holds 0 ones; one-hot data has exactly one 1 per row (the model declares y : onehot[3])",
        none.getMessage());
    UserError two = assertThrows(UserError.class, () -> DataChecks.check(
        table(1, 4, 1, 0, 1, 1), 4, ValueDomain.ONE_HOT, 2, "y : onehot[2, 2]"));
    assertEquals("data/train.csv: row 1, columns 3-4 holds 2 ones; one-hot data has exactly one 1 per group"
        + " (the model declares y : onehot[2, 2])", two.getMessage());
  }

  @Test
  void nonFiniteValuesAreReportedEvenForReals() {
    UserError nan = assertThrows(UserError.class, () -> DataChecks.check(
        table(2, 2, 0, 1, Float.NaN, 2), 2, ValueDomain.REAL, "x : real[2]"));
    assertEquals("data/train.csv: row 2, column 1 holds NaN; every value must be a finite number"
        + " (the model declares x : real[2])", nan.getMessage());
    UserError inf = assertThrows(UserError.class, () -> DataChecks.check(
        table(1, 2, 0, Float.NEGATIVE_INFINITY), 2, ValueDomain.UNIT_INTERVAL, "x : [0,1][2]"));
    assertEquals("data/train.csv: row 1, column 2 holds -Infinity; every value must be a finite"
        + " number (the model declares x : [0,1][2])", inf.getMessage());
  }
}
