package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class IdxReaderTest {
  @TempDir Path dir;

  /** Two 2x3 images with pixel bytes 0, 51, 102, ..., 255 (multiples of 51 map to exact fifths). */
  private static final byte[] TWO_IMAGES = TestFiles.idx(0x08, new int[] {2, 2, 3},
      new byte[] {0, 51, 102, (byte) 153, (byte) 204, (byte) 255, (byte) 255, 0, 0, 0, 0, 1});

  private static void assertImages(Dataset d) {
    assertEquals(2, d.rows());
    assertEquals(6, d.width());
    assertEquals(2, d.imageHeight());
    assertEquals(3, d.imageWidth());
    assertTrue(d.isImage());
    assertArrayEquals(new float[] {0f, 51 / 255f, 102 / 255f, 153 / 255f, 204 / 255f, 1f,
        1f, 0f, 0f, 0f, 0f, 1 / 255f}, d.values());
  }

  @Test
  void readsRawUnsignedByteImagesScaledToUnitInterval() {
    Path file = TestFiles.write(dir, "images.idx", TWO_IMAGES);
    Dataset d = IdxReader.read(file);
    assertImages(d);
    assertEquals(file.toString(), d.origin());
  }

  @Test
  void readsGzipByMagicBytesWhateverTheName() {
    // The name says nothing about compression: detection must use the 1f 8b magic.
    assertImages(IdxReader.read(TestFiles.write(dir, "images.idx", TestFiles.gzip(TWO_IMAGES))));
    assertImages(IdxReader.read(TestFiles.write(dir, "images-idx3-ubyte.gz", TestFiles.gzip(TWO_IMAGES))));
  }

  @Test
  void readsFromAStream() {
    assertImages(IdxReader.read(new ByteArrayInputStream(TestFiles.gzip(TWO_IMAGES)), "stream"));
  }

  @Test
  void oneDimensionalUnsignedBytesAreLabelsKeptUnscaled() {
    Dataset d = IdxReader.read(TestFiles.write(dir, "labels-idx1-ubyte",
        TestFiles.idx(0x08, new int[] {4}, new byte[] {7, 0, 9, (byte) 200})));
    assertEquals(4, d.rows());
    assertEquals(1, d.width());
    assertFalse(d.isImage());
    assertArrayEquals(new float[] {7, 0, 9, 200}, d.values());
  }

  @Test
  void twoDimensionalUnsignedBytesAreKeptUnscaled() {
    Dataset d = IdxReader.read(TestFiles.write(dir, "table.idx",
        TestFiles.idx(0x08, new int[] {2, 2}, new byte[] {1, 2, 3, 4})));
    assertEquals(2, d.rows());
    assertEquals(2, d.width());
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.values());
  }

  @Test
  void readsFloat32() {
    float[] values = {0.5f, -1.25f, 3e-7f, 42f, Float.MIN_VALUE, 1e30f};
    Dataset d = IdxReader.read(TestFiles.write(dir, "f.idx", TestFiles.idxFloat32(new int[] {3, 2}, values)));
    assertEquals(3, d.rows());
    assertEquals(2, d.width());
    assertArrayEquals(values, d.values());
  }

  @Test
  void emptyFileIsNamed() {
    Path file = TestFiles.write(dir, "empty.idx", new byte[0]);
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    assertTrue(e.getMessage().contains("0x00000803"), e.getMessage());
  }

  @Test
  void wrongMagicIsReportedWithTheBytesFound() {
    Path file = TestFiles.write(dir, "text.idx", "hello world");
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    assertTrue(e.getMessage().contains("0x68656C6C"), e.getMessage()); // "hell"
  }

  @Test
  void unsupportedElementTypeIsNamed() {
    Path file = TestFiles.write(dir, "short.idx", TestFiles.idx(0x0B, new int[] {1}, new byte[] {0, 1}));
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("0x0B"), e.getMessage());
  }

  @Test
  void truncatedDataIsReportedWithByteCounts() {
    byte[] cut = Arrays.copyOf(TWO_IMAGES, TWO_IMAGES.length - 5);
    Path file = TestFiles.write(dir, "cut.idx", cut);
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("2 x 2 x 3 unsigned bytes (12 bytes of data)"), e.getMessage());
    assertTrue(e.getMessage().contains("only 7 bytes"), e.getMessage());
  }

  @Test
  void truncatedHeaderIsReported() {
    Path file = TestFiles.write(dir, "cut-header.idx", Arrays.copyOf(TWO_IMAGES, 9));
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("ends inside dimension 2"), e.getMessage());
  }

  @Test
  void truncatedGzipIsReported() {
    byte[] gz = TestFiles.gzip(TWO_IMAGES);
    Path file = TestFiles.write(dir, "cut.gz", Arrays.copyOf(gz, gz.length - 12));
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void extraBytesAfterTheDeclaredDataAreReported() {
    byte[] longer = Arrays.copyOf(TWO_IMAGES, TWO_IMAGES.length + 3);
    Path file = TestFiles.write(dir, "long.idx", longer);
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("more data than its header declares"), e.getMessage());
  }

  @Test
  void zeroExampleDimensionIsReported() {
    Path file = TestFiles.write(dir, "zero.idx", TestFiles.idx(0x08, new int[] {2, 0, 3}, new byte[0]));
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("dimension 2"), e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("nope.idx");
    UserError e = assertThrows(UserError.class, () -> IdxReader.read(file));
    assertEquals("data file not found: " + file, e.getMessage());
  }
}
