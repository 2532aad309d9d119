package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import vaec.compiler.emit.GraphText;
import vaec.compiler.emit.Summary;

/**
 * Golden files of what `vaec compile --emit` shows for every model in examples/: the summary and
 * each graph's text. A change to lowering that changes a graph shows up here, in review, as a diff
 * of the golden file. Regenerate with {@code mvn test -Dgolden.update=true} and read the diff.
 */
class EmitGoldenTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  @TestFactory
  Stream<DynamicTest> everyExampleMatchesItsGoldenEmit() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      s.filter(p -> p.toString().endsWith(".vae")).sorted().forEach(files::add);
    }
    assertFalse(files.isEmpty(), "no examples found in " + EXAMPLES.toAbsolutePath());
    boolean update = Boolean.getBoolean("golden.update");
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      String name = f.getFileName().toString().replace(".vae", "");
      String actual = emit(f);
      Path golden = GOLDEN.resolve(name + ".txt");
      if (update) {
        Files.createDirectories(GOLDEN);
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
      }
      assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual,
          "the emitted graphs of " + f + " changed; if that is intended, regenerate with -Dgolden.update=true and review the diff");
    }));
  }

  /** The summary and every graph as text, as `vaec compile --emit` writes them. */
  static String emit(Path file) {
    SourceFile src = new SourceFile("examples/" + file.getFileName(), readUnchecked(file));
    Compiler.Compilation c = Compiler.compile(src);
    StringBuilder b = new StringBuilder(Summary.of(c)).append('\n');
    var m = c.compiled();
    b.append(GraphText.text("train", m.train()));
    b.append(GraphText.text("evaluate", m.evaluate()));
    b.append(GraphText.text("log_weight", m.logWeight()));
    b.append(GraphText.text("prior_sample", m.priorSample()));
    b.append(GraphText.text("reconstruct", m.reconstruct()));
    b.append(GraphText.text("decode", m.decode()));
    if (m.controlVariates() != null) b.append(GraphText.text("control_variates", m.controlVariates()));
    return b.toString();
  }

  private static String readUnchecked(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
