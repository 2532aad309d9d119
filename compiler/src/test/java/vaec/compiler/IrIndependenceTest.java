package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The probabilistic IR depends neither on the syntax tree nor on the runtime: its records name
 * catalog entries (families, networks) and its own types only. The one runtime type it shares is
 * {@code ValueDomain}, the vocabulary of value domains that the data loader and the families use
 * alike. Checked on the sources, so a new import shows up here.
 */
class IrIndependenceTest {
  static final Path IR = Path.of("src", "main", "java", "vaec", "compiler", "ir");
  static final Pattern REFERENCE = Pattern.compile("\\bvaec\\.(runtime|compiler\\.ast|compiler\\.syntax|compiler\\.check|compiler\\.lower)\\.[\\w.]+");

  @Test
  void irSourcesReferNoRuntimeOrSyntaxClass() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(IR)) {
      s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
    }
    assertFalse(files.isEmpty(), "no IR sources under " + IR.toAbsolutePath());
    List<String> bad = new ArrayList<>();
    for (Path f : files) {
      Matcher m = REFERENCE.matcher(Files.readString(f));
      while (m.find()) if (!m.group().equals("vaec.runtime.data.ValueDomain")) bad.add(f.getFileName() + ": " + m.group());
    }
    assertTrue(bad.isEmpty(), "the IR refers to " + bad);
  }
}
