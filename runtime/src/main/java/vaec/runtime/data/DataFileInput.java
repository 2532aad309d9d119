package vaec.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import vaec.runtime.UserError;

/** Opening data files and turning I/O failures into messages a user can act on. */
final class DataFileInput {
  private DataFileInput() {}

  /** Opens {@code path} for reading, or throws a UserError saying why it cannot be read. */
  static InputStream open(Path path) {
    if (Files.isDirectory(path)) {
      throw new UserError(path + " is a directory, not a data file");
    }
    if (!Files.exists(path)) {
      throw new UserError("data file not found: " + path);
    }
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw readFailure(path.toString(), e);
    }
  }

  /** A UserError for an I/O failure while reading {@code origin}. */
  static UserError readFailure(String origin, IOException e) {
    String why;
    if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof NoSuchFileException) {
      why = "file not found";
    } else {
      why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return new UserError("cannot read " + origin + ": " + why, e);
  }
}
