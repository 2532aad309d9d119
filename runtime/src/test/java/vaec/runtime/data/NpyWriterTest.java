package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class NpyWriterTest {
  @TempDir Path dir;

  @Test
  void float32MatrixRoundTripsThroughTheReader() {
    float[][] rows = {
      {0.1f, -2.5f, 1e-30f, Float.MAX_VALUE},
      {Float.NaN, Float.NEGATIVE_INFINITY, -0f, 3f},
      {7f, 8f, 9f, 10f},
    };
    Path file = dir.resolve("z.npy");
    NpyWriter.writeFloat32(file, rows, 4);

    Dataset d = NpyReader.read(file);
    assertEquals(3, d.rows());
    assertEquals(4, d.width());
    float[] flat = new float[12];
    for (int i = 0; i < 3; i++) System.arraycopy(rows[i], 0, flat, 4 * i, 4);
    assertArrayEquals(flat, d.values()); // bit for bit: NaN, infinity and -0 included
  }

  @Test
  void int32VectorRoundTripsThroughTheReader() throws IOException {
    int[] labels = new int[10_000]; // more than one write chunk
    for (int i = 0; i < labels.length; i++) labels[i] = (i * 7919) % 10 - (i % 1000 == 0 ? 1_000_000 : 0);
    Path file = dir.resolve("y.npy");
    NpyWriter.writeInt32(file, labels);

    Dataset d = NpyReader.read(file);
    assertEquals(labels.length, d.rows());
    assertEquals(1, d.width());
    for (int i = 0; i < labels.length; i++) assertEquals(labels[i], d.values()[i], "label " + i);
    // Values beyond float precision are checked in the raw bytes, which the reader turns into floats.
    NpyWriter.writeInt32(file, new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 16_777_217});
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer body = ByteBuffer.wrap(bytes, bytes.length - 12, 12).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(Integer.MIN_VALUE, body.getInt());
    assertEquals(Integer.MAX_VALUE, body.getInt());
    assertEquals(16_777_217, body.getInt());
  }

  @Test
  void headerIsFormatOneWithTheDataAlignedTo64Bytes() throws IOException {
    Path file = dir.resolve("h.npy");
    NpyWriter.writeFloat32(file, new float[5][3], 3);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals((byte) 0x93, bytes[0]);
    assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
    assertEquals(1, bytes[6]);
    assertEquals(0, bytes[7]);
    int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
    assertEquals(0, (10 + headerLength) % NpyWriter.ALIGNMENT);
    assertEquals(10 + headerLength + 5 * 3 * 4, bytes.length);
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 3), }", header.strip());
    assertEquals('\n', header.charAt(header.length() - 1));

    NpyWriter.writeInt32(file, new int[] {1, 2});
    bytes = Files.readAllBytes(file);
    headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
    assertEquals("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
        new String(bytes, 10, headerLength, StandardCharsets.US_ASCII).strip());
  }

  @Test
  void zeroRowsStillHaveTheirColumnCount() throws IOException {
    Path file = dir.resolve("empty.npy");
    NpyWriter.writeFloat32(file, new float[0][], 8);
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(new String(bytes, StandardCharsets.US_ASCII).contains("'shape': (0, 8)"));
    assertEquals(0, bytes.length % NpyWriter.ALIGNMENT, "header only");
  }

  @Test
  void raggedRowsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NpyWriter.writeFloat32(dir.resolve("r.npy"), new float[][] {{1, 2}, {3}}, 2));
    assertTrue(e.getMessage().contains("row 1 has 1 values, expected 2"), e.getMessage());
  }

  @Test
  void missingDirectoriesAreCreatedAndAnUnwritablePathIsAUserErrorNamingIt() throws IOException {
    Path nested = dir.resolve("a").resolve("b").resolve("y.npy");
    NpyWriter.writeInt32(nested, new int[] {4});
    assertArrayEquals(new float[] {4}, NpyReader.read(nested).values());

    Path file = Files.writeString(dir.resolve("plain"), "x");
    Path inside = file.resolve("y.npy"); // a path under a regular file
    UserError e = assertThrows(UserError.class, () -> NpyWriter.writeInt32(inside, new int[] {1}));
    assertTrue(e.getMessage().contains(inside.toString()), e.getMessage());
    UserError d = assertThrows(UserError.class, () -> NpyWriter.writeInt32(dir, new int[] {1}));
    assertTrue(d.getMessage().contains("is a directory"), d.getMessage());
  }

  @Test
  void headersOfManyShapesAllAlign() {
    for (int n : new int[] {0, 1, 9, 10, 99_999, 1 << 30}) {
      for (int c : new int[] {0, 1, 784, 100_000}) {
        byte[] h = NpyWriter.header("<f4", "(" + n + ", " + c + ")");
        assertEquals(0, h.length % NpyWriter.ALIGNMENT, Arrays.toString(new int[] {n, c}));
        assertEquals('\n', h[h.length - 1]);
      }
    }
  }
}
