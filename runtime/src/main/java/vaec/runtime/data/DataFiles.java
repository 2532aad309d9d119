package vaec.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import vaec.runtime.UserError;

/** Reads a data file in whichever supported format it is: NumPy .npy, CSV, or IDX (raw or gzip). */
public final class DataFiles {
  private DataFiles() {}

  /**
   * Reads {@code path}, choosing the reader by the file's leading bytes where they identify the
   * format (.npy magic, gzip magic, IDX magic) and by its name otherwise: {@code .npy}, {@code .csv},
   * and {@code .idx}, {@code .gz} or a name containing {@code ubyte} for IDX. Content comes first
   * so that a misnamed binary file is still read correctly.
   */
  public static Dataset read(Path path) {
    byte[] head = leadingBytes(path);
    if (FileMagic.isNpy(head, head.length)) {
      return NpyReader.read(path);
    }
    if (FileMagic.isGzip(head, head.length) || FileMagic.isIdx(head, head.length)) {
      return IdxReader.read(path);
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return NpyReader.read(path); // reports that the magic bytes are wrong
    }
    if (name.endsWith(".csv")) {
      return CsvReader.read(path);
    }
    if (name.endsWith(".idx") || name.endsWith(".gz") || name.contains("ubyte")) {
      return IdxReader.read(path);
    }
    throw new UserError("cannot tell the format of " + path + ": vaec reads NumPy .npy files,"
        + " comma-separated .csv files and IDX files (.idx or *-ubyte, optionally gzip-compressed)");
  }

  private static byte[] leadingBytes(Path path) {
    try (InputStream in = DataFileInput.open(path)) {
      return in.readNBytes(FileMagic.PREFIX_LENGTH);
    } catch (IOException e) {
      throw DataFileInput.readFailure(path.toString(), e);
    }
  }
}
