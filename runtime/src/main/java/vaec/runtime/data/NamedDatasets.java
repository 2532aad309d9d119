package vaec.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import vaec.runtime.UserError;

/**
 * The datasets a model can name instead of giving a file. Names that look like paths are files and
 * go to {@link DataFiles}; callers decide that before calling here.
 */
public final class NamedDatasets {
  private NamedDatasets() {}

  /** 10,000 MNIST digits embedded in the runtime jar; see vaec/data/PROVENANCE.md. */
  public static final String MNIST_DIGITS = "mnist_digits";
  /** Zalando's Fashion-MNIST, installed by the Debian package dataset-fashion-mnist. */
  public static final String FASHION_MNIST = "fashion_mnist";

  private static final String MNIST_DIGITS_RESOURCE = "/vaec/data/mnist_digits-images-idx3-ubyte.gz";
  /** The embedded digits were shuffled once at conversion, so a fixed cut mixes all classes. */
  private static final int MNIST_DIGITS_TRAIN = 9_000;
  static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The known names, in the order they should be listed to users. */
  public static List<String> names() {
    return List.of(MNIST_DIGITS, FASHION_MNIST);
  }

  /** Loads the named dataset's train and test parts. */
  public static DataSplit load(String name) {
    return switch (name) {
      case MNIST_DIGITS -> loadMnistDigits();
      case FASHION_MNIST -> loadFashionMnist(FASHION_MNIST_DIR);
      default -> throw new UserError("unknown dataset \"" + name + "\"; the known datasets are "
          + String.join(", ", names()) + " (or give the path of a .npy, .csv or IDX file)");
    };
  }

  private static DataSplit loadMnistDigits() {
    Dataset all;
    try (InputStream in = NamedDatasets.class.getResourceAsStream(MNIST_DIGITS_RESOURCE)) {
      if (in == null) {
        // Not the user's fault: the jar was built without its resources.
        throw new IllegalStateException("resource " + MNIST_DIGITS_RESOURCE + " is missing from the runtime jar");
      }
      all = IdxReader.read(in, MNIST_DIGITS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + MNIST_DIGITS_RESOURCE, e);
    }
    return new DataSplit(
        renamed(all.slice(0, MNIST_DIGITS_TRAIN), MNIST_DIGITS + " (train)"),
        renamed(all.slice(MNIST_DIGITS_TRAIN, all.rows()), MNIST_DIGITS + " (test)"));
  }

  /** Fashion-MNIST from {@code dir}; package-private so tests can point it at a missing folder. */
  static DataSplit loadFashionMnist(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserError("dataset " + FASHION_MNIST + " is not installed (" + dir + " does not exist);"
          + " install it with `sudo apt-get install dataset-fashion-mnist` (Debian package), or use "
          + MNIST_DIGITS);
    }
    Path train = dir.resolve("train-images-idx3-ubyte.gz");
    Path test = dir.resolve("t10k-images-idx3-ubyte.gz");
    for (Path file : List.of(train, test)) {
      if (!Files.isRegularFile(file)) {
        throw new UserError("dataset " + FASHION_MNIST + " is incomplete: " + file + " is missing;"
            + " reinstall it with `sudo apt-get install --reinstall dataset-fashion-mnist`, or use "
            + MNIST_DIGITS);
      }
    }
    return new DataSplit(IdxReader.read(train), IdxReader.read(test));
  }

  private static Dataset renamed(Dataset d, String origin) {
    return new Dataset(origin, d.rows(), d.width(), d.values(), d.imageHeight(), d.imageWidth());
  }
}
