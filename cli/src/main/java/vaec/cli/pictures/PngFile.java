package vaec.cli.pictures;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import vaec.runtime.UserError;

/** Saves a finished picture as a PNG file, turning file-system failures into {@link UserError}s. */
final class PngFile {
  private PngFile() {}

  static void write(BufferedImage picture, Path png) {
    // Open the stream ourselves: ImageIO.write(image, format, File) reports a missing directory
    // only as a vague "Can't create an ImageOutputStream!".
    try (OutputStream out = Files.newOutputStream(png)) {
      if (!ImageIO.write(picture, "png", out)) {
        throw new IllegalStateException("this Java runtime has no PNG writer");
      }
    } catch (IOException e) {
      throw new UserError("cannot write " + png + ": " + reason(e), e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "its directory does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    // The message of a FileSystemException repeats the path; its reason alone is enough.
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
