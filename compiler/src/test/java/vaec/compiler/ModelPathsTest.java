package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.compiler.check.ModelPaths;
import vaec.runtime.data.DataBinding;

class ModelPathsTest {
  @Test
  void relativePathsAreReadBesideTheModelFile(@TempDir Path dir) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.writeString(models.resolve("d.csv"), "1,2\n");
    String model = models.resolve("m.vae").toString();
    assertEquals(models.resolve("d.csv").toString(), ModelPaths.resolve(model, "d.csv"));
    assertEquals(dir.resolve("d.csv").toString(), ModelPaths.resolve(model, "../d.csv"));
    // Beside the model even when missing there (the loader then names that path).
    assertEquals(models.resolve("missing.csv").toString(), ModelPaths.resolve(model, "missing.csv"));
  }

  @Test
  void namesAbsolutePathsAndModelsWithoutAFolderStayAsWritten(@TempDir Path dir) {
    String model = dir.resolve("m.vae").toString();
    assertEquals("mnist_digits", ModelPaths.resolve(model, "mnist_digits"));
    assertEquals("english_words", ModelPaths.resolve(model, "english_words"));
    assertEquals("/data/x.npy", ModelPaths.resolve(model, "/data/x.npy"));
    assertEquals("d.csv", ModelPaths.resolve("m.vae", "d.csv"));
  }

  @Test
  void aPathThatOnlyExistsFromTheWorkingDirectoryIsKept() {
    // pom.xml exists in the working directory (the module folder) and not beside /nonexistent/m.vae.
    assertEquals("pom.xml", ModelPaths.resolve("/nonexistent/m.vae", "pom.xml"));
  }

  @Test
  void theCompiledModelCarriesResolvedPaths(@TempDir Path dir) throws Exception {
    Path models = Files.createDirectories(dir.resolve("models"));
    Files.writeString(models.resolve("train.csv"), "0.5\n");
    Path file = models.resolve("m.vae");
    Files.writeString(file, """
        model m
        data x : real[1]
        data y : real[1] from "y.csv"
        latent z : real[1]
        network enc = Linear(1 -> 2)
        prior z ~ Normal(0, 1)
        guide z ~ Normal(enc(x)[0:1], softplus(enc(x)[1:2]))
        likelihood x ~ Normal(z, 1)
        likelihood y ~ Normal(z, 1)
        train { dataset = "train.csv"
          test_dataset = "sub/test.csv" }
        """);
    var c = Compiler.compile(SourceFile.read(file)).compiled();
    assertEquals(models.resolve("train.csv").toString(), c.config().dataset());
    assertEquals(models.resolve("sub/test.csv").toString(), c.config().testDataset());
    assertEquals(models.resolve("y.csv").toString(), ((DataBinding.File) c.data().get(1).binding()).path());
  }
}
