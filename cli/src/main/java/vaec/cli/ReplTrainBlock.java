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
