package vaec.runtime.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import vaec.runtime.UserError;

/** Creating output files and turning I/O failures into messages a user can act on. */
final class DataFileOutput {
  private DataFileOutput() {}

  /** Opens {@code path} for writing (replacing it), creating missing parent directories. */
  static OutputStream create(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new UserError("cannot write " + path + ": it is a directory");
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    return new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
  }

  /** A UserError for an I/O failure while writing {@code path}. */
  static UserError writeFailure(Path path, IOException e) {
    String why;
    if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof NoSuchFileException) {
      why = "its directory does not exist";
    } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
      why = fse.getReason();
    } else {
      why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return new UserError("cannot write " + path + ": " + why, e);
  }
}
