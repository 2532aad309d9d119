package vaec.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import vaec.runtime.UserError;

/**
 * Reads the body of a binary array file (IDX, NumPy): a known number of fixed-size elements,
 * converted to floats. Shared by the readers so that truncated and over-long files are reported
 * the same way, with the byte counts that tell the user what is wrong.
 */
final class BinaryArrays {
  private BinaryArrays() {}

  /** Chunk size for decoding; large enough to amortise stream calls, small enough to stay cached. */
  private static final int CHUNK_BYTES = 1 << 16;

  /** The element encodings the readers understand. */
  enum ElementType {
    UNSIGNED_BYTE(1, ByteOrder.BIG_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return b.get(at) & 0xFF; }
    },
    FLOAT32_BIG_ENDIAN(4, ByteOrder.BIG_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return b.getFloat(at); }
    },
    FLOAT32_LITTLE_ENDIAN(4, ByteOrder.LITTLE_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return b.getFloat(at); }
    },
    FLOAT64_LITTLE_ENDIAN(8, ByteOrder.LITTLE_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return (float) b.getDouble(at); }
    },
    INT32_LITTLE_ENDIAN(4, ByteOrder.LITTLE_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return b.getInt(at); }
    },
    INT64_LITTLE_ENDIAN(8, ByteOrder.LITTLE_ENDIAN) {
      @Override float decode(ByteBuffer b, int at) { return b.getLong(at); }
    };

    final int size;
    final ByteOrder order;

    ElementType(int size, ByteOrder order) {
      this.size = size;
      this.order = order;
    }

    /** The element whose first byte is at {@code at} in {@code b}, as a float. */
    abstract float decode(ByteBuffer b, int at);
  }

  /**
   * Reads exactly {@code count} elements of {@code type} from {@code in} and checks that nothing
   * follows them. {@code declared} describes what the header promised (e.g. "10000 x 28 x 28
   * unsigned bytes") for the messages.
   */
  static float[] readBody(InputStream in, String origin, int count, ElementType type, String declared)
      throws IOException {
    float[] out = new float[count];
    long expectedBytes = (long) count * type.size;
    // A whole number of elements per chunk, so no element straddles two chunks.
    int chunkElements = Math.max(1, CHUNK_BYTES / type.size);
    byte[] chunk = new byte[chunkElements * type.size];
    ByteBuffer view = ByteBuffer.wrap(chunk).order(type.order);
    long bytesRead = 0;
    int done = 0;
    while (done < count) {
      int n = Math.min(chunkElements, count - done);
      int got = in.readNBytes(chunk, 0, n * type.size);
      bytesRead += got;
      if (got < n * type.size) {
        throw new UserError(origin + " is truncated: its header declares " + declared + " ("
            + expectedBytes + " bytes of data), but only " + bytesRead + " bytes follow the header");
      }
      for (int i = 0; i < n; i++) {
        out[done + i] = type.decode(view, i * type.size);
      }
      done += n;
    }
    if (in.read() != -1) {
      throw new UserError(origin + " holds more data than its header declares (" + declared + ", "
          + expectedBytes + " bytes); the header does not match the file");
    }
    return out;
  }

  /**
   * The number of values in one example (the product of all dimensions after the first) and the
   * total, checked to fit a Java array. {@code dims} must be non-negative.
   */
  static int exampleWidth(String origin, long[] dims, String declared) {
    if (dims[0] > Integer.MAX_VALUE - 8) {
      throw tooLarge(origin, declared);
    }
    long width = 1;
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] == 0) {
        throw new UserError(origin + ": dimension " + (i + 1) + " of " + declared
            + " is 0, so every example would be empty");
      }
      width *= dims[i];
      if (width > Integer.MAX_VALUE) {
        throw tooLarge(origin, declared);
      }
    }
    if (dims[0] * width > Integer.MAX_VALUE - 8) {
      throw tooLarge(origin, declared);
    }
    return (int) width;
  }

  private static UserError tooLarge(String origin, String declared) {
    return new UserError(origin + ": " + declared + " is too large to hold in memory (more than "
        + (Integer.MAX_VALUE - 8) + " values)");
  }

  /** "10000 x 28 x 28" */
  static String shapeText(long[] dims) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) s.append(" x ");
      s.append(dims[i]);
    }
    return s.toString();
  }
}
