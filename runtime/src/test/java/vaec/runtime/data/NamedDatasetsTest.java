package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class NamedDatasetsTest {
  @Test
  void namesListsTheKnownDatasets() {
    assertEquals(List.of("mnist_digits", "fashion_mnist"), NamedDatasets.names());
  }

  @Test
  void mnistDigitsIsEmbeddedAndSplit9000To1000() {
    TrainTest split = NamedDatasets.load("mnist_digits");
    assertEquals(9000, split.train().rows());
    assertEquals(1000, split.test().rows());
    for (Dataset d : List.of(split.train(), split.test())) {
      assertEquals(784, d.width());
      assertEquals(28, d.imageHeight());
      assertEquals(28, d.imageWidth());
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float v : d.values()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertEquals(0f, min);
      assertEquals(1f, max);
    }
    assertEquals("mnist_digits (train)", split.train().origin());
    assertEquals("mnist_digits (test)", split.test().origin());
  }

  @Test
  void embeddedLabelsShowBothPartsMixAllTenDigits() throws IOException {
    Dataset labels;
    try (InputStream in = NamedDatasets.class.getResourceAsStream("/vaec/data/mnist_digits-labels-idx1-ubyte.gz")) {
      labels = IdxReader.read(in, "labels");
    }
    assertEquals(10000, labels.rows());
    int[] trainCounts = new int[10];
    int[] testCounts = new int[10];
    for (int i = 0; i < labels.rows(); i++) {
      int digit = (int) labels.values()[i];
      (i < 9000 ? trainCounts : testCounts)[digit]++;
    }
    for (int digit = 0; digit < 10; digit++) {
      // Unshuffled, the last 1,000 would be nearly all nines; shuffled, each digit has ~100.
      assertTrue(testCounts[digit] > 50, "digit " + digit + " appears " + testCounts[digit] + " times in test");
      assertTrue(trainCounts[digit] > 500, "digit " + digit + " appears " + trainCounts[digit] + " times in train");
    }
  }

  @Test
  void fashionMnistWhenInstalled() {
    Assumptions.assumeTrue(Files.isDirectory(NamedDatasets.FASHION_MNIST_DIR),
        "dataset-fashion-mnist is not installed");
    TrainTest split = NamedDatasets.load("fashion_mnist");
    assertEquals(60000, split.train().rows());
    assertEquals(10000, split.test().rows());
    assertEquals(784, split.train().width());
    assertEquals(28, split.test().imageHeight());
    DataChecks.check(split.test(), 784, ValueDomain.UNIT_INTERVAL, "x : [0,1][784]");
    TrainTest labels = NamedDatasets.load("fashion_mnist", "labels");
    assertEquals(60000, labels.train().rows());
    assertEquals(10000, labels.test().rows());
    DataChecks.check(labels.test(), 10, ValueDomain.ONE_HOT, 10, "y : onehot[10]");
  }

  @Test
  void fashionMnistMissingTellsHowToInstall(@TempDir Path dir) {
    Path absent = dir.resolve("fashion-mnist");
    UserError e = assertThrows(UserError.class, () -> NamedDatasets.loadFashionMnist(absent));
    assertTrue(e.getMessage().contains("not installed"), e.getMessage());
    assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains("mnist_digits"), e.getMessage());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    UserError e = assertThrows(UserError.class, () -> NamedDatasets.load("cifar10"));
    assertTrue(e.getMessage().contains("\"cifar10\""), e.getMessage());
    assertTrue(e.getMessage().contains("mnist_digits, fashion_mnist"), e.getMessage());
  }
}
