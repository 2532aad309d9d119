package vaec.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vaec.runtime.UserError;

/**
 * The datasets a model can name instead of giving a file. Names that look like paths are files and
 * go to {@link DataFiles}; callers decide that before calling here. Each named dataset has two
 * parts a data variable can be bound to: {@code images} (784 values in [0, 1], the primary part)
 * and {@code labels} (one-hot over 10 classes; the raw IDX labels 0..9 are expanded).
 */
public final class NamedDatasets {
  private NamedDatasets() {}

  /** 10,000 MNIST digits embedded in the runtime jar; see vaec/data/PROVENANCE.md. */
  public static final String MNIST_DIGITS = "mnist_digits";
  /** Zalando's Fashion-MNIST, installed by the Debian package dataset-fashion-mnist. */
  public static final String FASHION_MNIST = "fashion_mnist";

  private static final String MNIST_DIGITS_RESOURCE = "/vaec/data/mnist_digits-images-idx3-ubyte.gz";
  private static final String MNIST_DIGITS_LABELS = "/vaec/data/mnist_digits-labels-idx1-ubyte.gz";
  public static final String IMAGES = "images";
  public static final String LABELS = "labels";
  static final int CLASSES = 10;
  /** The embedded digits were shuffled once at conversion, so a fixed cut mixes all classes. */
  private static final int MNIST_DIGITS_TRAIN = 9_000;
  static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The known names, in the order they should be listed to users. */
  public static List<String> names() {
    return List.of(MNIST_DIGITS, FASHION_MNIST);
  }

  /** What the named dataset offers, without reading it: its parts, images first. */
  public static DataBinder.Description describe(String name) {
    if (!names().contains(name)) throw unknown(name);
    return DataBinder.Description.named(name, List.of(
        new DataBinder.PartInfo(IMAGES, 784, ValueDomain.UNIT_INTERVAL, "28 x 28 = 784 values in [0, 1] per example"),
        new DataBinder.PartInfo(LABELS, CLASSES, ValueDomain.ONE_HOT, "one-hot labels of 10 classes (10 values per example)")));
  }

  /** Loads the named dataset's images, train and test. */
  public static TrainTest load(String name) {
    return load(name, IMAGES);
  }

  /** Parts already read in this process: the embedded digits are decompressed once. */
  private static final Map<String, TrainTest> CACHE = new ConcurrentHashMap<>();

  /** Loads one part ({@link #IMAGES} or {@link #LABELS}) of the named dataset, train and test. */
  public static TrainTest load(String name, String part) {
    if (!part.equals(IMAGES) && !part.equals(LABELS)) {
      throw new UserError("dataset " + name + " has no part '" + part + "'; its parts are " + IMAGES + ", " + LABELS);
    }
    return switch (name) {
      case MNIST_DIGITS -> CACHE.computeIfAbsent(name + "/" + part, k -> loadMnistDigits(part));
      case FASHION_MNIST -> loadFashionMnist(FASHION_MNIST_DIR, part);
      default -> throw unknown(name);
    };
  }

  private static UserError unknown(String name) {
    return new UserError("unknown dataset \"" + name + "\"; the known datasets are "
        + String.join(", ", names()) + " (or give the path of a .npy, .csv or IDX file)");
  }

  private static TrainTest loadMnistDigits(String part) {
    String resource = part.equals(IMAGES) ? MNIST_DIGITS_RESOURCE : MNIST_DIGITS_LABELS;
    Dataset all;
    try (InputStream in = NamedDatasets.class.getResourceAsStream(resource)) {
      if (in == null) {
        // Not the user's fault: the jar was built without its resources.
        throw new IllegalStateException("resource " + resource + " is missing from the runtime jar");
      }
      all = IdxReader.read(in, MNIST_DIGITS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read resource " + resource, e);
    }
    String what = part.equals(IMAGES) ? "" : " labels";
    if (!part.equals(IMAGES)) all = oneHot(all, MNIST_DIGITS + what);
    return new TrainTest(
        renamed(all.slice(0, MNIST_DIGITS_TRAIN), MNIST_DIGITS + what + " (train)"),
        renamed(all.slice(MNIST_DIGITS_TRAIN, all.rows()), MNIST_DIGITS + what + " (test)"));
  }

  /** Fashion-MNIST's images from {@code dir}; package-private so tests can point it at a missing folder. */
  static TrainTest loadFashionMnist(Path dir) {
    return loadFashionMnist(dir, IMAGES);
  }

  static TrainTest loadFashionMnist(Path dir, String part) {
    if (!Files.isDirectory(dir)) {
      throw new UserError("dataset " + FASHION_MNIST + " is not installed (" + dir + " does not exist);"
          + " install it with `sudo apt-get install dataset-fashion-mnist` (Debian package), or use "
          + MNIST_DIGITS);
    }
    String kind = part.equals(IMAGES) ? "images-idx3" : "labels-idx1";
    Path train = dir.resolve("train-" + kind + "-ubyte.gz");
    Path test = dir.resolve("t10k-" + kind + "-ubyte.gz");
    for (Path file : List.of(train, test)) {
      if (!Files.isRegularFile(file)) {
        throw new UserError("dataset " + FASHION_MNIST + " is incomplete: " + file + " is missing;"
            + " reinstall it with `sudo apt-get install --reinstall dataset-fashion-mnist`, or use "
            + MNIST_DIGITS);
      }
    }
    if (part.equals(IMAGES)) return new TrainTest(IdxReader.read(train), IdxReader.read(test));
    return new TrainTest(oneHot(IdxReader.read(train), train.toString()), oneHot(IdxReader.read(test), test.toString()));
  }

  /** Class indices 0..9, one per row, as one-hot rows of width 10. */
  private static Dataset oneHot(Dataset labels, String origin) {
    return ClassIndices.toOneHot(labels, CLASSES, origin, "labels of " + CLASSES + " classes");
  }

  private static Dataset renamed(Dataset d, String origin) {
    return new Dataset(origin, d.rows(), d.width(), d.values(), d.imageHeight(), d.imageWidth());
  }
}
