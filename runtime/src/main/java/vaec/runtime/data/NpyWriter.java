package vaec.runtime.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import vaec.runtime.UserError;

/**
 * Writes NumPy {@code .npy} files, format version 1.0: a float32 matrix (one row per example,
 * such as each test example's latent mean) or an int32 vector (such as their labels), little-
 * endian and in C (row-major) order, readable by {@code numpy.load} and by {@link NpyReader}.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, version bytes 1 and 0, the header length as a uint16
 * little-endian, and a header such as {@code {'descr': '<f4', 'fortran_order': False, 'shape':
 * (3, 4), }} padded with spaces and ended by a newline so that the data start at a multiple of
 * 64 bytes, as NumPy itself writes it; then the values.
 */
public final class NpyWriter {
  private NpyWriter() {}

  /** NumPy aligns the start of the data to this many bytes. */
  static final int ALIGNMENT = 64;

  /**
   * Writes {@code rows} as a float32 array of shape (rows.length, columns); every row must have
   * {@code columns} values. The column count is given so that zero rows still have a shape.
   */
  public static void writeFloat32(Path path, float[][] rows, int columns) {
    if (columns < 0) throw new IllegalArgumentException("negative column count " + columns);
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != columns) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, expected " + columns);
      }
    }
    try (OutputStream out = DataFileOutput.create(path)) {
      out.write(header("<f4", "(" + rows.length + ", " + columns + ")"));
      ByteBuffer row = ByteBuffer.allocate(4 * columns).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] r : rows) {
        row.clear();
        row.asFloatBuffer().put(r);
        out.write(row.array(), 0, row.capacity());
      }
    } catch (IOException e) {
      throw DataFileOutput.writeFailure(path, e);
    }
  }

  /** Writes {@code values} as a 1-D int32 array of shape (values.length,). */
  public static void writeInt32(Path path, int[] values) {
    try (OutputStream out = DataFileOutput.create(path)) {
      out.write(header("<i4", "(" + values.length + ",)"));
      ByteBuffer chunk = ByteBuffer.allocate(4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < values.length; from += 4096) {
        int count = Math.min(4096, values.length - from);
        chunk.clear();
        chunk.asIntBuffer().put(values, from, count);
        out.write(chunk.array(), 0, 4 * count);
      }
    } catch (IOException e) {
      throw DataFileOutput.writeFailure(path, e);
    }
  }

  /** The magic, version, header length and padded header, ready to be followed by the data. */
  static byte[] header(String descr, String shape) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int prefix = 6 + 2 + 2; // magic, version, uint16 header length
    int unpadded = prefix + dict.length() + 1; // the header ends with a newline
    int total = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    int headerLength = total - prefix;
    if (headerLength > 0xFFFF) {
      throw new UserError("the .npy header for shape " + shape + " is too long for format 1.0");
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) headerLength);
    b.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (b.position() < total - 1) b.put((byte) ' ');
    b.put((byte) '\n');
    return b.array();
  }
}
