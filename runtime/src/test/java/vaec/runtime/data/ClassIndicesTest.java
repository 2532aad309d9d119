package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

class ClassIndicesTest {
  private static Dataset column(float... v) { return new Dataset("y.csv", v.length, 1, v, 0, 0); }

  @Test
  void classIndicesBecomeOneHotRows() {
    Dataset d = ClassIndices.toOneHot(column(2, 0), 3, "y.csv", "data y : onehot[3]");
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, d.values());
    assertArrayEquals(new int[] {2, 0}, ClassIndices.of(d));
  }

  @Test
  void aMissingLabelInDataIsNamedAsSuch() {
    for (float missing : new float[] {-1, Float.NaN}) {
      UserError e = assertThrows(UserError.class, () -> ClassIndices.toOneHot(column(0, missing), 3, "y.csv", "data y : onehot[3]"));
      assertEquals("y.csv: row 2 holds " + missing + ", a missing label, but every row of data needs one (for data y : onehot[3]);"
          + " drop the rows without a label", e.getMessage());
    }
  }

  @Test
  void anotherValueIsNotAClassIndex() {
    UserError e = assertThrows(UserError.class, () -> ClassIndices.toOneHot(column(0, -2), 3, "y.csv", "data y : onehot[3]"));
    assertEquals("y.csv: row 2 holds -2.0, which is not a class index 0..2 (for data y : onehot[3])", e.getMessage());
  }
}
