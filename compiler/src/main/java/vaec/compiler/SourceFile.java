package vaec.compiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import vaec.runtime.UserError;

/** A model file's name and text, with access to its lines for diagnostics. */
public record SourceFile(String name, String text) {
  public static SourceFile read(Path path) {
    try {
      return new SourceFile(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new UserError("model file not found: " + path);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new UserError(path + ": not a UTF-8 text file");
    } catch (IOException e) {
      throw new UserError("cannot read model file " + path + ": " + e.getMessage());
    }
  }

  /** Line {@code n} (1-based) without its line break, or "" past the end. */
  public String line(int n) {
    String[] lines = text.split("\r?\n", -1);
    return n >= 1 && n <= lines.length ? lines[n - 1] : "";
  }
}
