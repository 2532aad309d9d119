package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class CsvReaderTest {
  @TempDir Path dir;

  @Test
  void readsRowsWithoutHeader() {
    Path file = TestFiles.write(dir, "plain.csv", "1,2,3\n-4.5, 5e-1 ,.25\n");
    Dataset d = CsvReader.read(file);
    assertEquals(2, d.rows());
    assertEquals(3, d.width());
    assertArrayEquals(new float[] {1, 2, 3, -4.5f, 0.5f, 0.25f}, d.values());
    assertEquals(file.toString(), d.origin());
    assertEquals(0, d.imageHeight());
  }

  @Test
  void detectsHeaderLineAndSkipsBlankLinesAndCarriageReturns() {
    Path file = TestFiles.write(dir, "header.csv", "a,b\r\n0,1\r\n\r\n1,0\r\n\n");
    Dataset d = CsvReader.read(file);
    assertEquals(2, d.rows());
    assertEquals(2, d.width());
    assertArrayEquals(new float[] {0, 1, 1, 0}, d.values());
  }

  @Test
  void headerOnlyGivesZeroRows() {
    Dataset d = CsvReader.read(TestFiles.write(dir, "h.csv", "x1,x2,x3\n"));
    assertEquals(0, d.rows());
    assertEquals(3, d.width());
  }

  @Test
  void nanAndInfinityAreReadSoTheChecksCanLocateThem() {
    Dataset d = CsvReader.read(TestFiles.write(dir, "n.csv", "nan,inf,-Infinity\n"));
    assertTrue(Float.isNaN(d.values()[0]));
    assertEquals(Float.POSITIVE_INFINITY, d.values()[1]);
    assertEquals(Float.NEGATIVE_INFINITY, d.values()[2]);
  }

  @Test
  void raggedRowNamesPathAndLine() {
    Path file = TestFiles.write(dir, "ragged.csv", "a,b,c\n1,2,3\n4,5\n");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertEquals(file + ":3: this row has 2 values but the header has 3 columns", e.getMessage());
  }

  @Test
  void raggedRowWithoutHeaderComparesToFirstRow() {
    Path file = TestFiles.write(dir, "ragged2.csv", "1,2\n\n3,4,5\n");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertEquals(file + ":3: this row has 3 values but the first row has 2", e.getMessage());
  }

  @Test
  void nonNumericCellNamesPathLineAndCell() {
    Path file = TestFiles.write(dir, "bad.csv", "x,y\n1,2\n3,abc\n");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertEquals(file + ":3: column 2 holds \"abc\", which is not a number", e.getMessage());
  }

  @Test
  void javaOnlyNumberSyntaxIsRejected() {
    // Float.parseFloat would accept "1f"; a CSV cell like that is a mistake.
    Path file = TestFiles.write(dir, "suffix.csv", "1,2\n1f,2\n");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertTrue(e.getMessage().contains(file + ":2: column 1 holds \"1f\""), e.getMessage());
  }

  @Test
  void emptyCellIsReported() {
    Path file = TestFiles.write(dir, "hole.csv", "1,2,3\n4,,6\n");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertEquals(file + ":2: column 2 holds \"\", which is not a number", e.getMessage());
  }

  @Test
  void emptyFileIsReported() {
    Path file = TestFiles.write(dir, "empty.csv", "");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertTrue(e.getMessage().startsWith(file + " is empty"), e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("missing.csv");
    UserError e = assertThrows(UserError.class, () -> CsvReader.read(file));
    assertEquals("data file not found: " + file, e.getMessage());
  }
}
