package vaec.runtime.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vaec.runtime.UserError;
import vaec.runtime.data.BinaryArrays.ElementType;

/**
 * Reads NumPy {@code .npy} files (format versions 1, 2 and 3) holding little-endian float32,
 * float64, int32, int64 or unsigned bytes, in C (row-major) order. Unsigned bytes are not scaled:
 * an .npy file says exactly what its values are. A 1-D array gives one value per example; with more
 * dimensions everything after the first is flattened into one example, and a 3-D array's second
 * and third dimensions are remembered as the image height and width.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, major and minor version bytes, the header length
 * (uint16 little-endian in version 1, uint32 in 2 and 3), then a header that is a Python dict
 * literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}, then the
 * data.
 */
public final class NpyReader {
  private NpyReader() {}

  private static final Map<String, ElementType> DTYPES = Map.of(
      "<f4", ElementType.FLOAT32_LITTLE_ENDIAN,
      "<f8", ElementType.FLOAT64_LITTLE_ENDIAN,
      "|u1", ElementType.UNSIGNED_BYTE,
      "<i4", ElementType.INT32_LITTLE_ENDIAN,
      "<i8", ElementType.INT64_LITTLE_ENDIAN);
  private static final String SUPPORTED_DTYPES = "<f4, <f8, |u1, <i4, <i8";

  // The header is written by Python's repr(), so these simple patterns match what NumPy writes.
  private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
  private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

  /** Reads the .npy file at {@code path}; messages name the path. */
  public static Dataset read(Path path) {
    String origin = path.toString();
    try (InputStream in = new BufferedInputStream(DataFileInput.open(path), 1 << 16)) {
      return parse(in, origin);
    } catch (IOException e) {
      throw DataFileInput.readFailure(origin, e);
    }
  }

  private static Dataset parse(InputStream in, String origin) throws IOException {
    byte[] magic = in.readNBytes(8);
    if (magic.length == 0) {
      throw new UserError(origin + " is empty; expected a NumPy .npy file");
    }
    if (!FileMagic.isNpy(magic, magic.length)) {
      throw new UserError(origin + " is not a NumPy .npy file: it does not start with the magic"
          + " bytes \\x93NUMPY");
    }
    if (magic.length < 8) {
      throw new UserError(origin + " is truncated: it ends inside the .npy version bytes");
    }
    int major = magic[6] & 0xFF;
    if (major < 1 || major > 3) {
      throw new UserError(origin + ": .npy format version " + major + "." + (magic[7] & 0xFF)
          + " is not supported; vaec reads versions 1, 2 and 3");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    byte[] len = in.readNBytes(lengthBytes);
    if (len.length < lengthBytes) {
      throw new UserError(origin + " is truncated: it ends inside the .npy header length");
    }
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      headerLength = (headerLength << 8) | (len[i] & 0xFF);
    }
    if (headerLength > 1 << 20) {
      throw new UserError(origin + ": the .npy header claims to be " + headerLength
          + " bytes long; the file is corrupt");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new UserError(origin + " is truncated: the .npy header should be " + headerLength
          + " bytes but the file ends after " + headerBytes.length);
    }
    Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    String header = new String(headerBytes, charset).strip();

    String descr = descr(header, origin);
    ElementType element = DTYPES.get(descr);
    if (element == null) {
      throw new UserError(origin + ": dtype '" + descr + "' is not supported; vaec reads "
          + SUPPORTED_DTYPES + " (little-endian)");
    }
    if (fortranOrder(header, origin)) {
      throw new UserError(origin + ": the array is stored in Fortran (column-major) order;"
          + " vaec reads C order only. Save it with numpy.save(path, numpy.ascontiguousarray(a))");
    }
    long[] dims = shape(header, origin);

    String declared = BinaryArrays.shapeText(dims) + " values of dtype " + descr;
    // A 1-D array is a table with one column.
    long[] tableDims = dims.length == 1 ? new long[] {dims[0], 1} : dims;
    int width = BinaryArrays.exampleWidth(origin, tableDims, declared);
    int rows = (int) dims[0];
    float[] values = BinaryArrays.readBody(in, origin, rows * width, element, declared);
    boolean image = dims.length == 3;
    return new Dataset(origin, rows, width, values, image ? (int) dims[1] : 0, image ? (int) dims[2] : 0);
  }

  private static String descr(String header, String origin) {
    Matcher m = DESCR.matcher(header);
    if (!m.find()) {
      throw new UserError(origin + ": the .npy header does not name a plain numeric dtype"
          + " (structured arrays are not supported): " + header);
    }
    return m.group(1);
  }

  private static boolean fortranOrder(String header, String origin) {
    Matcher m = FORTRAN.matcher(header);
    if (!m.find()) {
      throw new UserError(origin + ": the .npy header has no fortran_order entry: " + header);
    }
    return m.group(1).equals("True");
  }

  private static long[] shape(String header, String origin) {
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new UserError(origin + ": the .npy header has no shape entry: " + header);
    }
    List<Long> dims = new ArrayList<>();
    for (String part : m.group(1).split(",")) {
      String text = part.strip();
      if (text.endsWith("L")) {
        text = text.substring(0, text.length() - 1); // Python 2 wrote long integers as 3L
      }
      if (text.isEmpty()) {
        continue; // the trailing comma of a 1-tuple: (3,)
      }
      try {
        long d = Long.parseLong(text);
        if (d < 0) throw new NumberFormatException();
        dims.add(d);
      } catch (NumberFormatException e) {
        throw new UserError(origin + ": the .npy shape (" + m.group(1) + ") holds \"" + part.strip()
            + "\", which is not a dimension size");
      }
    }
    if (dims.isEmpty()) {
      throw new UserError(origin + " holds a single number (shape ()); expected an array with one"
          + " example per row");
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }
}
