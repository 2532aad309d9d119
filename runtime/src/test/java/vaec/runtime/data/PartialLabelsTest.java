package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class PartialLabelsTest {
  private static final String DECL = "latent y : onehot[3] from labels";

  private static Dataset column(float... v) { return new Dataset("y.csv", v.length, 1, v, 0, 0); }

  /** Each row's class, -1 where missing. */
  private static int[] classes(PartialLabels.Labels l) {
    int[] out = new int[l.oneHot().rows()];
    for (int r = 0; r < out.length; r++) out[r] = l.classOf(r);
    return out;
  }

  @Test
  void classIndicesWithMinusOneAndNanAreMissingRowsOfZeros() {
    PartialLabels.Labels l = PartialLabels.fromClassIndices(column(2, -1, Float.NaN, 0), 3, DECL);
    assertEquals(2, l.labelled());
    assertArrayEquals(new float[] {0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0}, l.oneHot().values());
    assertArrayEquals(new int[] {2, -1, -1, 0}, classes(l));
    assertArrayEquals(new int[] {1, 0, 1}, l.perClass());
  }

  @Test
  void aValueThatIsNeitherAClassNorMissingNamesItsRow() {
    for (float bad : new float[] {3, 1.5f, -2, Float.POSITIVE_INFINITY}) {
      UserError e = assertThrows(UserError.class, () -> PartialLabels.fromClassIndices(column(0, 1, bad), 3, DECL));
      assertEquals("y.csv: row 3 holds " + bad + ", which is neither a class index 0..2 nor a missing label (-1 or nan) (for " + DECL + ")",
          e.getMessage());
    }
  }

  @Test
  void oneHotRowsOfZerosOrNanAreMissing() {
    float n = Float.NaN;
    Dataset d = new Dataset("y.npy", 4, 3, new float[] {0, 1, 0, 0, 0, 0, n, n, n, 1, 0, 0}, 0, 0);
    PartialLabels.Labels l = PartialLabels.read(d, 3, DECL);
    assertEquals(2, l.labelled());
    assertArrayEquals(new int[] {1, -1, -1, 0}, classes(l));
    assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, l.oneHot().values());
  }

  @Test
  void aBadOneHotRowNamesItsRow() {
    float n = Float.NaN;
    UserError twoOnes = assertThrows(UserError.class, () -> PartialLabels.fromOneHot(new Dataset("y.npy", 2, 3, new float[] {1, 0, 0, 1, 1, 0}, 0, 0), DECL));
    assertEquals("y.npy: row 2 holds 2 ones; a label is exactly one 1 and zeros, and a missing one a row of zeros or of nan (for " + DECL + ")",
        twoOnes.getMessage());
    UserError partNan = assertThrows(UserError.class, () -> PartialLabels.fromOneHot(new Dataset("y.npy", 1, 3, new float[] {n, 1, 0}, 0, 0), DECL));
    assertTrue(partNan.getMessage().startsWith("y.npy: row 1 holds 1 ones and 1 nan;"), partNan.getMessage());
    UserError half = assertThrows(UserError.class, () -> PartialLabels.fromOneHot(new Dataset("y.npy", 1, 3, new float[] {0, 0.5f, 0}, 0, 0), DECL));
    assertTrue(half.getMessage().startsWith("y.npy: row 1, column 2 holds 0.5; one-hot labels are 0 or 1"), half.getMessage());
  }

  @Test
  void aTableOfAnotherWidthIsRefused() {
    Dataset d = new Dataset("y.csv", 1, 2, new float[] {0, 1}, 0, 0);
    UserError e = assertThrows(UserError.class, () -> PartialLabels.read(d, 3, DECL));
    assertTrue(e.getMessage().startsWith("y.csv: each example has 2 values, but labels of 3 classes are one column"), e.getMessage());
  }

  @Test
  void readsMissingLabelsFromCsvAndNpyFiles(@TempDir Path dir) {
    Path csv = dir.resolve("y.csv");
    Path npy = dir.resolve("y.npy");
    try {
      Files.writeString(csv, "label\n2\n-1\nnan\n0\n");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    NpyWriter.writeInt32(npy, new int[] {2, -1, -1, 0});
    for (Path p : List.of(csv, npy)) {
      PartialLabels.Labels l = PartialLabels.read(DataFiles.read(p), 3, DECL);
      assertArrayEquals(new int[] {2, -1, -1, 0}, classes(l), p.toString());
      assertEquals(2, l.labelled());
    }
  }

  /** 30 rows, 10 of each class, in the order 0, 1, 2, 0, 1, 2, ... */
  private static PartialLabels.Labels thirty() {
    float[] v = new float[30];
    for (int r = 0; r < 30; r++) v[r] = r % 3;
    return PartialLabels.fromClassIndices(column(v), 3, DECL);
  }

  @Test
  void keepHidesAllButNLabelsBalancedPerClassAndKeepsTheTrueClass() {
    PartialLabels.Labels all = thirty();
    PartialLabels.Labels kept = PartialLabels.keep(all, 7, 42);
    assertEquals(7, kept.labelled());
    assertArrayEquals(new int[] {3, 2, 2}, kept.perClass());   // 7 / 3 = 2 each, the remainder to class 0
    for (int r = 0; r < 30; r++) {
      int c = kept.classOf(r);
      assertTrue(c == -1 || c == r % 3, "row " + r + " kept class " + c);
    }
    assertEquals("y.csv (7 labels kept)", kept.oneHot().origin());
  }

  private static List<Integer> keptRows(PartialLabels.Labels l) {
    List<Integer> out = new ArrayList<>();
    for (int r = 0; r < l.oneHot().rows(); r++) if (l.classOf(r) >= 0) out.add(r);
    return out;
  }

  @Test
  void theSameSeedKeepsTheSameRowsAndAnotherSeedOthers() {
    PartialLabels.Labels all = thirty();
    assertEquals(keptRows(PartialLabels.keep(all, 6, 1)), keptRows(PartialLabels.keep(all, 6, 1)));
    assertNotEquals(keptRows(PartialLabels.keep(all, 6, 1)), keptRows(PartialLabels.keep(all, 6, 2)));
  }

  @Test
  void keepChoosesOnlyAmongRowsThatHaveALabel() {
    // Rows 0..5 of class 0 and 1, with rows 0 and 1 missing: class 0 keeps row 2 or 4, class 1 row 3 or 5.
    PartialLabels.Labels some = PartialLabels.fromClassIndices(column(-1, -1, 0, 1, 0, 1), 3, DECL);
    for (long seed = 0; seed < 20; seed++) {
      PartialLabels.Labels kept = PartialLabels.keep(some, 2, seed);
      assertEquals(-1, kept.classOf(0));
      assertEquals(-1, kept.classOf(1));
      assertArrayEquals(new int[] {1, 1, 0}, kept.perClass());
    }
  }

  @Test
  void keepingMoreThanAClassHasIsAnErrorNamingTheClass() {
    PartialLabels.Labels some = PartialLabels.fromClassIndices(column(0, 0, 0, 1, 2, 2), 3, DECL);
    UserError e = assertThrows(UserError.class, () -> PartialLabels.keep(some, 6, 0));
    assertEquals("labelled = 6 keeps 2 labels of class 1, but y.csv has 1 labelled rows of that class; keep fewer labels", e.getMessage());
    UserError tooMany = assertThrows(UserError.class, () -> PartialLabels.keep(some, 7, 0));
    assertEquals("labelled = 7, but y.csv has 6 labelled rows", tooMany.getMessage());
  }

  @Test
  void keepFractionRoundsTheShareOfRows() {
    PartialLabels.Labels kept = PartialLabels.keepFraction(thirty(), 0.1, 3);
    assertEquals(3, kept.labelled());
    assertArrayEquals(new int[] {1, 1, 1}, kept.perClass());
    UserError e = assertThrows(UserError.class, () -> PartialLabels.keepFraction(thirty(), 1.5, 3));
    assertTrue(e.getMessage().startsWith("labelled_fraction = 1.5:"), e.getMessage());
  }
}
