package vaec.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX and .npy files byte by byte, independently of the readers under test. */
final class TestFiles {
  private TestFiles() {}

  /** An IDX file: magic (0, 0, type, rank), big-endian int32 dims, then {@code body}. */
  static byte[] idx(int type, int[] dims, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length).order(ByteOrder.BIG_ENDIAN);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) b.putInt(d);
    b.put(body);
    return b.array();
  }

  static byte[] idxFloat32(int[] dims, float[] values) {
    ByteBuffer body = ByteBuffer.allocate(4 * values.length).order(ByteOrder.BIG_ENDIAN);
    for (float v : values) body.putFloat(v);
    return idx(0x0D, dims, body.array());
  }

  /** A version-{@code major} .npy file with the given dtype, shape text and little-endian body. */
  static byte[] npy(int major, String descr, boolean fortran, String shape, byte[] body) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': " + shape + ", }";
    int lengthBytes = major == 1 ? 2 : 4;
    // NumPy pads the header with spaces to a multiple of 64 and ends it with a newline.
    int unpadded = 8 + lengthBytes + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(major);
    out.write(0);
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer len = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) len.putShort((short) h.length); else len.putInt(h.length);
    out.writeBytes(len.array());
    out.writeBytes(h);
    out.writeBytes(body);
    return out.toByteArray();
  }

  static byte[] littleEndianFloats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) b.putFloat(v);
    return b.array();
  }

  static byte[] littleEndianDoubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) b.putDouble(v);
    return b.array();
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      return Files.write(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String name, String text) {
    return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
  }
}
