package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class NpyReaderTest {
  @TempDir Path dir;

  @Test
  void readsFloat32TwoDimensional() {
    float[] values = {0.1f, 0.2f, 0.3f, -1f, 2.5f, 1e-8f};
    Path file = TestFiles.write(dir, "a.npy",
        TestFiles.npy(1, "<f4", false, "(2, 3)", TestFiles.littleEndianFloats(values)));
    Dataset d = NpyReader.read(file);
    assertEquals(2, d.rows());
    assertEquals(3, d.width());
    assertArrayEquals(values, d.values());
    assertEquals(file.toString(), d.origin());
  }

  @Test
  void readsFloat64AsNearestFloats() {
    double[] values = {0.1, 1.0 / 3, -7.25, 1e-300};
    Dataset d = NpyReader.read(TestFiles.write(dir, "d.npy",
        TestFiles.npy(1, "<f8", false, "(2, 2)", TestFiles.littleEndianDoubles(values))));
    assertArrayEquals(new float[] {0.1f, 1f / 3, -7.25f, 0f}, d.values());
  }

  @Test
  void readsUnsignedBytesUnscaled() {
    Dataset d = NpyReader.read(TestFiles.write(dir, "u.npy",
        TestFiles.npy(1, "|u1", false, "(2, 2)", new byte[] {0, 1, (byte) 128, (byte) 255})));
    assertArrayEquals(new float[] {0, 1, 128, 255}, d.values());
  }

  @Test
  void readsIntegers() {
    ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-3).putInt(70000);
    assertArrayEquals(new float[] {-3, 70000},
        NpyReader.read(TestFiles.write(dir, "i4.npy", TestFiles.npy(1, "<i4", false, "(2,)", i4.array()))).values());
    ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(-1L << 40);
    assertArrayEquals(new float[] {5, -(float) (1L << 40)},
        NpyReader.read(TestFiles.write(dir, "i8.npy", TestFiles.npy(1, "<i8", false, "(2,)", i8.array()))).values());
  }

  @Test
  void oneDimensionalArrayHasWidthOne() {
    Dataset d = NpyReader.read(TestFiles.write(dir, "v.npy",
        TestFiles.npy(1, "<f4", false, "(3,)", TestFiles.littleEndianFloats(1, 2, 3))));
    assertEquals(3, d.rows());
    assertEquals(1, d.width());
  }

  @Test
  void threeDimensionalArrayIsFlattenedAndRemembersImageShape() {
    float[] values = new float[2 * 2 * 3];
    for (int i = 0; i < values.length; i++) values[i] = i;
    Dataset d = NpyReader.read(TestFiles.write(dir, "img.npy",
        TestFiles.npy(1, "<f4", false, "(2, 2, 3)", TestFiles.littleEndianFloats(values))));
    assertEquals(2, d.rows());
    assertEquals(6, d.width());
    assertEquals(2, d.imageHeight());
    assertEquals(3, d.imageWidth());
    assertArrayEquals(values, d.values());
  }

  @Test
  void readsFormatVersionsTwoAndThree() {
    for (int major : new int[] {2, 3}) {
      Dataset d = NpyReader.read(TestFiles.write(dir, "v" + major + ".npy",
          TestFiles.npy(major, "<f4", false, "(1, 2)", TestFiles.littleEndianFloats(4, 5))));
      assertArrayEquals(new float[] {4, 5}, d.values());
    }
  }

  @Test
  void fortranOrderIsRefused() {
    Path file = TestFiles.write(dir, "f.npy",
        TestFiles.npy(1, "<f4", true, "(2, 2)", TestFiles.littleEndianFloats(1, 2, 3, 4)));
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
  }

  @Test
  void unsupportedDtypeIsNamed() {
    Path file = TestFiles.write(dir, "be.npy",
        TestFiles.npy(1, ">f4", false, "(1,)", new byte[4]));
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'>f4'"), e.getMessage());
  }

  @Test
  void badMagicIsReported() {
    Path file = TestFiles.write(dir, "x.npy", "not numpy at all");
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("\\x93NUMPY"), e.getMessage());
  }

  @Test
  void emptyFileIsReported() {
    Path file = TestFiles.write(dir, "e.npy", new byte[0]);
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertEquals(file + " is empty; expected a NumPy .npy file", e.getMessage());
  }

  @Test
  void truncatedDataIsReportedWithByteCounts() {
    byte[] full = TestFiles.npy(1, "<f4", false, "(2, 3)", TestFiles.littleEndianFloats(1, 2, 3, 4, 5, 6));
    Path file = TestFiles.write(dir, "cut.npy", Arrays.copyOf(full, full.length - 6));
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("2 x 3 values of dtype <f4 (24 bytes of data)"), e.getMessage());
    assertTrue(e.getMessage().contains("only 18 bytes"), e.getMessage());
  }

  @Test
  void truncatedHeaderIsReported() {
    byte[] full = TestFiles.npy(1, "<f4", false, "(2, 3)", TestFiles.littleEndianFloats(1, 2, 3, 4, 5, 6));
    Path file = TestFiles.write(dir, "cuthead.npy", Arrays.copyOf(full, 30));
    UserError e = assertThrows(UserError.class, () -> NpyReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }
}
