package vaec.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.compiler.syntax.ModelParser;

/** The REPL's {@code set KEY VALUE}: the {@code train { }} block's text with one setting replaced or added. */
final class ReplTrainBlock {
  private ReplTrainBlock() {}

  /** {@code block} (null: none yet) with {@code key = value}; {@code lr} edits the optimizer's learning rate. */
  static String set(String block, String key, String value) {
    Map<String, String> settings = settings(block);
    if (key.equals("lr")) {
      String opt = settings.getOrDefault("optimizer", "Adam");
      if (opt.matches("(?s).*\\blr\\s*=.*")) opt = opt.replaceFirst("\\blr\\s*=\\s*[^,)]+", "lr = " + value);
      else if (opt.contains("(")) opt = opt.replaceFirst("\\(\\s*", "(lr = " + value + (opt.matches("(?s).*\\(\\s*\\)") ? "" : ", "));
      else opt = opt + "(lr = " + value + ")";
      settings.put("optimizer", opt);
    } else {
      settings.put(key, value);
    }
    int w = settings.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder b = new StringBuilder("train {\n");
    for (var e : settings.entrySet()) b.append("  ").append(String.format("%-" + w + "s", e.getKey())).append(" = ").append(e.getValue()).append('\n');
    return b.append("}").toString();
  }

  /** The language's words, which a bare name cannot be. */
  private static final java.util.Set<String> KEYWORDS =
      java.util.Set.of("model", "data", "latent", "network", "prior", "guide", "likelihood", "train", "from", "in", "using");

  /**
   * A dataset setting's value as the train block writes it: a dataset name (mnist_digits, none)
   * stays bare, anything else (a file path, typed as a user would: data/x.csv, /tmp/my file.csv)
   * becomes a string literal. A value already in double quotes is kept as typed; one in single
   * quotes (as a shell would take it) is requoted. The train block reads a bare name and a string
   * alike, so quoting never changes what is read.
   */
  static String pathValue(String value) {
    String v = value.strip();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) return v;
    if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.substring(1, v.length() - 1);
    if (v.matches("[A-Za-z_][A-Za-z_0-9]*") && !KEYWORDS.contains(v)) return v;
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The settings of a train block as written, each value's text from its line. */
  static Map<String, String> settings(String block) {
    Map<String, String> out = new LinkedHashMap<>();
    if (block == null) return out;
    SourceFile f = new SourceFile("train", block);
    for (Ast.Decl d : ModelParser.parse(f).decls()) {
      if (!(d instanceof Ast.TrainDecl t)) continue;
      for (Ast.Setting s : t.settings()) {
        Span v = s.value().span();
        String line = f.line(v.line());
        int from = Math.max(0, v.column() - 1);
        int to = Math.min(line.length(), from + Math.max(1, v.length()));
        out.put(s.key(), line.substring(from, to).strip());
      }
    }
    return out;
  }
}
