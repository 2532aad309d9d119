package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class CsvWriterTest {
  @TempDir Path dir;

  @Test
  void writesAHeaderAndOneLinePerRowWithTheLabelLast() throws IOException {
    Path file = dir.resolve("z.csv");
    CsvWriter.write(file, List.of("z0", "z1"), new float[][] {{0.5f, -1f}, {1e-7f, 3f}}, "label", new int[] {7, 2});
    assertEquals(List.of("z0,z1,label", "0.5,-1.0,7", "1.0E-7,3.0,2"), Files.readAllLines(file));
  }

  @Test
  void valuesRoundTripThroughTheReaderExactly() {
    float[][] rows = {{0.1f, 1f / 3, -123456.79f}, {Float.MIN_VALUE, Float.MAX_VALUE, -0.0f}};
    Path file = dir.resolve("r.csv");
    CsvWriter.write(file, List.of("a", "b", "c"), rows);
    Dataset d = CsvReader.read(file);
    assertEquals(2, d.rows());
    assertEquals(3, d.width());
    assertArrayEquals(new float[] {0.1f, 1f / 3, -123456.79f, Float.MIN_VALUE, Float.MAX_VALUE, -0.0f}, d.values());
  }

  @Test
  void nanAndInfinityAreWrittenAsNumPyReadsThem() throws IOException {
    Path file = dir.resolve("n.csv");
    CsvWriter.write(file, List.of("x", "y", "z"), new float[][] {{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}});
    assertEquals("nan,inf,-inf", Files.readAllLines(file).get(1));
  }

  @Test
  void mismatchedRowsLabelsAndNamesAreRejected() {
    Path file = dir.resolve("bad.csv");
    assertThrows(IllegalArgumentException.class, () -> CsvWriter.write(file, List.of("a", "b"), new float[][] {{1}}));
    assertThrows(IllegalArgumentException.class,
        () -> CsvWriter.write(file, List.of("a"), new float[][] {{1}}, "label", new int[] {1, 2}));
    assertThrows(IllegalArgumentException.class, () -> CsvWriter.write(file, List.of("a,b"), new float[][] {{1}}));
  }

  @Test
  void anUnwritablePathIsAUserErrorNamingIt() throws IOException {
    Path inside = Files.writeString(dir.resolve("plain"), "x").resolve("z.csv");
    UserError e = assertThrows(UserError.class, () -> CsvWriter.write(inside, List.of("a"), new float[][] {{1}}));
    assertTrue(e.getMessage().contains(inside.toString()), e.getMessage());
  }
}
