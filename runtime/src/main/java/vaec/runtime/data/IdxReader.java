package vaec.runtime.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import vaec.runtime.UserError;
import vaec.runtime.data.BinaryArrays.ElementType;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed (recognised by
 * the gzip magic bytes, not by the file name).
 *
 * <p>An IDX file is a 4-byte magic number (two zero bytes, an element type code, the number of
 * dimensions), one big-endian int32 per dimension, then the elements in row-major order. The first
 * dimension counts the examples; the others are flattened into one example.
 *
 * <ul>
 *   <li>Unsigned bytes (type 0x08) with 3 or more dimensions are pixels: they are scaled to [0,1]
 *       as {@code v / 255f}.
 *   <li>Unsigned bytes with 1 or 2 dimensions are labels or small integer tables and keep their
 *       values 0..255; 1 dimension gives one value per example.
 *   <li>float32 (type 0x0D) values are kept as they are.
 * </ul>
 *
 * With exactly 3 dimensions (e.g. magic 0x00000803) the second and third are remembered as the
 * image height and width.
 */
public final class IdxReader {
  private IdxReader() {}

  static final int TYPE_UNSIGNED_BYTE = 0x08;
  static final int TYPE_FLOAT32 = 0x0D;
  /** More dimensions than any real data set has; a larger count means the header is garbage. */
  private static final int MAX_DIMENSIONS = 8;

  private static final String EXPECTED = "expected an IDX file (magic 0x00000803 for unsigned-byte"
      + " images, 0x000008NN for unsigned bytes or 0x00000DNN for float32, NN = number of dimensions)";

  /** Reads the IDX file at {@code path}; messages name the path. */
  public static Dataset read(Path path) {
    try (InputStream in = DataFileInput.open(path)) {
      return read(in, path.toString());
    } catch (IOException e) {
      throw DataFileInput.readFailure(path.toString(), e);
    }
  }

  /**
   * Reads an IDX stream, raw or gzip-compressed; {@code origin} names it in messages and becomes
   * the dataset's origin. The stream is not closed.
   */
  public static Dataset read(InputStream stream, String origin) {
    try {
      return parse(new DataInputStream(decompressIfGzip(stream)), origin);
    } catch (EOFException e) {
      // The gzip layer reports a cut-off compressed stream this way.
      throw new UserError(origin + " is truncated: the compressed data ends early", e);
    } catch (ZipException e) {
      throw new UserError(origin + " is corrupt: it starts like a gzip file but cannot be"
          + " decompressed (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw DataFileInput.readFailure(origin, e);
    }
  }

  static boolean isKnownType(int code) {
    return code == TYPE_UNSIGNED_BYTE || code == TYPE_FLOAT32;
  }

  private static InputStream decompressIfGzip(InputStream stream) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stream, 1 << 16);
    in.mark(2);
    byte[] head = in.readNBytes(2);
    in.reset();
    return FileMagic.isGzip(head, head.length) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
  }

  private static Dataset parse(DataInputStream in, String origin) throws IOException {
    byte[] magic = in.readNBytes(4);
    if (magic.length == 0) {
      throw new UserError(origin + " is empty; " + EXPECTED);
    }
    if (magic.length < 4) {
      throw new UserError(origin + " is truncated: it holds only " + magic.length
          + " bytes, too few for the 4-byte IDX magic number; " + EXPECTED);
    }
    int magicNumber = ((magic[0] & 0xFF) << 24) | ((magic[1] & 0xFF) << 16)
        | ((magic[2] & 0xFF) << 8) | (magic[3] & 0xFF);
    String magicText = String.format("0x%08X", magicNumber);
    if (magic[0] != 0 || magic[1] != 0) {
      throw new UserError(origin + " is not an IDX file: it starts with " + magicText + "; " + EXPECTED);
    }
    int type = magic[2] & 0xFF;
    if (!isKnownType(type)) {
      throw new UserError(String.format(
          "%s: IDX element type 0x%02X (magic %s) is not supported; vaec reads unsigned bytes (0x08)"
              + " and float32 (0x0D)", origin, type, magicText));
    }
    int rank = magic[3] & 0xFF;
    if (rank < 1 || rank > MAX_DIMENSIONS) {
      throw new UserError(origin + ": IDX magic " + magicText + " declares " + rank
          + " dimensions; expected 1 to " + MAX_DIMENSIONS);
    }

    long[] dims = new long[rank];
    for (int i = 0; i < rank; i++) {
      byte[] d = in.readNBytes(4);
      if (d.length < 4) {
        throw new UserError(origin + " is truncated: its magic " + magicText + " declares " + rank
            + " dimensions, but the file ends inside dimension " + (i + 1) + " of the header");
      }
      // Sizes are unsigned 32-bit in principle; anything at or above 2^31 cannot be real data.
      long size = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFF) << 16) | ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
      if (size > Integer.MAX_VALUE) {
        throw new UserError(origin + ": IDX dimension " + (i + 1) + " is " + size
            + ", which is not a plausible size; the header is corrupt");
      }
      dims[i] = size;
    }

    ElementType element = type == TYPE_FLOAT32 ? ElementType.FLOAT32_BIG_ENDIAN : ElementType.UNSIGNED_BYTE;
    String declared = BinaryArrays.shapeText(dims)
        + (type == TYPE_FLOAT32 ? " float32 values" : " unsigned bytes");
    int width = BinaryArrays.exampleWidth(origin, dims, declared);
    int rows = (int) dims[0];
    float[] values = BinaryArrays.readBody(in, origin, rows * width, element, declared);

    boolean pixels = type == TYPE_UNSIGNED_BYTE && rank >= 3;
    if (pixels) {
      for (int i = 0; i < values.length; i++) {
        values[i] /= 255f;
      }
    }
    boolean image = rank == 3;
    return new Dataset(origin, rows, width, values,
        image ? (int) dims[1] : 0, image ? (int) dims[2] : 0);
  }
}
