package vaec.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import vaec.compiler.CompileError;
import vaec.compiler.Diagnostic;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.compiler.syntax.ModelParser;

/**
 * The REPL's model as a list of statements, each remembered with where it was written (a file or
 * the REPL's own input lines). A statement replaces the earlier ones it redefines: the same
 * {@code model}, data or latent variable, network or {@code train} block, or a {@code prior},
 * {@code guide} or {@code likelihood} statement that samples the same variable. The model text is
 * the statements in order; diagnostics about it are mapped back to where each statement was written.
 */
final class ReplModel {
  /** One statement (or several written on one line) with its keys and where its first line was written. */
  record Entry(Set<String> keys, String text, String origin, int firstLine) {
    int lines() { return text.split("\n", -1).length; }
  }

  private final List<Entry> entries;

  ReplModel() { this(List.of()); }

  private ReplModel(List<Entry> entries) { this.entries = List.copyOf(entries); }

  List<Entry> entries() { return entries; }

  boolean isEmpty() { return entries.isEmpty(); }

  /**
   * The statements of {@code text}, written at {@code origin} from line {@code firstLine} on;
   * syntax errors are reported there.
   */
  static List<Entry> parse(String text, String origin, int firstLine) {
    String padded = "\n".repeat(firstLine - 1) + text;
    Ast.Program p = ModelParser.parse(new SourceFile(origin, padded));
    String[] lines = padded.split("\r?\n", -1);
    List<Entry> out = new ArrayList<>();
    List<Ast.Decl> decls = p.decls();
    int i = 0;
    while (i < decls.size()) {
      int start = decls.get(i).span().line();
      Set<String> keys = new LinkedHashSet<>();
      int j = i;
      while (j < decls.size() && decls.get(j).span().line() == start) keys.addAll(keys(decls.get(j++)));
      int end = j < decls.size() ? decls.get(j).span().line() - 1 : lines.length;
      while (end > start && (lines[end - 1].isBlank() || lines[end - 1].strip().startsWith("//"))) end--;
      StringBuilder b = new StringBuilder();
      for (int l = start; l <= end; l++) b.append(l == start ? "" : "\n").append(lines[l - 1].stripTrailing());
      out.add(new Entry(keys, b.toString(), origin, start));
      i = j;
    }
    return standalone(out);
  }

  /**
   * The entries, each of which parses on its own: one that does not (a block whose closing line
   * also starts the next statement, as in {@code } ; likelihood ...}) is merged with the next.
   */
  private static List<Entry> standalone(List<Entry> entries) {
    List<Entry> out = new ArrayList<>();
    Entry pending = null;
    for (Entry e : entries) {
      Entry cur = pending == null ? e : merge(pending, e);
      pending = null;
      try {
        ModelParser.parse(new SourceFile(cur.origin(), cur.text()));
        out.add(cur);
      } catch (CompileError notAlone) {
        pending = cur;
      }
    }
    if (pending != null) out.add(pending);
    return out;
  }

  private static Entry merge(Entry a, Entry b) {
    Set<String> keys = new LinkedHashSet<>(a.keys());
    keys.addAll(b.keys());
    int gap = b.firstLine() - (a.firstLine() + a.lines());
    return new Entry(keys, a.text() + "\n".repeat(Math.max(0, gap) + 1) + b.text(), a.origin(), a.firstLine());
  }

  /** What a declaration defines: "model", "var x", "network f", "guide z", "train". */
  static Set<String> keys(Ast.Decl d) {
    Set<String> k = new LinkedHashSet<>();
    if (d instanceof Ast.ModelDecl) k.add("model");
    else if (d instanceof Ast.VarDecl v) k.add("var " + v.name());
    else if (d instanceof Ast.NetworkDecl n) k.add("network " + n.name());
    else if (d instanceof Ast.TrainDecl) k.add("train");
    else if (d instanceof Ast.Section s) {
      String kind = s.kind().name().toLowerCase(Locale.ROOT);
      for (Ast.Stmt st : s.stmts()) if (st instanceof Ast.Sample smp) k.add(kind + " " + smp.target());
      if (k.isEmpty()) k.add(kind + " @" + s.span().line());
    }
    return k;
  }

  /** This model with {@code added} in: each replaces the entries it redefines, in place; new ones go at the end. */
  ReplModel with(List<Entry> added, List<String> replaced) {
    List<Entry> out = new ArrayList<>(entries);
    for (Entry e : added) {
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        Entry old = out.get(i);
        if (old.keys().stream().anyMatch(e.keys()::contains)) {
          if (replaced != null) replaced.add(describe(old));
          if (at < 0) {
            out.set(i, e);
            at = i;
          } else {
            out.remove(i--);
          }
        }
      }
      if (at < 0) out.add(e);
    }
    return new ReplModel(out);
  }

  /** This model without the entries that define {@code key}. */
  ReplModel without(String key) {
    List<Entry> out = new ArrayList<>(entries);
    out.removeIf(e -> e.keys().contains(key));
    return new ReplModel(out);
  }

  static String describe(Entry e) {
    return String.join(", ", e.keys()).replace("var ", "");
  }

  /** The model text: the statements in order, a blank line between multi-line ones. */
  String text() {
    return compose(null);
  }

  private String compose(List<int[]> starts) {
    StringBuilder b = new StringBuilder();
    int line = 1;
    Entry prev = null;
    for (Entry e : entries) {
      if (prev != null) {
        boolean gap = e.lines() > 1 || prev.lines() > 1 || !sameGroup(prev, e);
        if (gap) {
          b.append('\n');
          line++;
        }
      }
      if (starts != null) starts.add(new int[] {line, e.lines()});
      b.append(e.text()).append('\n');
      line += e.lines();
      prev = e;
    }
    return b.toString();
  }

  private static boolean sameGroup(Entry a, Entry b) {
    String ka = a.keys().iterator().next().split(" ")[0];
    String kb = b.keys().iterator().next().split(" ")[0];
    return ka.equals(kb);
  }

  /** The text of the statements that define {@code key}, or null. */
  String textOf(String key) {
    for (Entry e : entries) if (e.keys().contains(key)) return e.text();
    return null;
  }

  /**
   * {@code error}, raised against {@link #text}, with each diagnostic moved to where its statement
   * was written (file or REPL input line), formatted with that line and a caret.
   */
  String locate(CompileError error, String modelName) {
    List<int[]> starts = new ArrayList<>();
    String composed = compose(starts);
    List<String> parts = new ArrayList<>();
    for (Diagnostic d : error.diagnostics()) {
      Span s = d.span();
      int idx = -1;
      for (int i = 0; i < starts.size(); i++) {
        if (s.line() >= starts.get(i)[0] && s.line() < starts.get(i)[0] + starts.get(i)[1]) idx = i;
      }
      if (s.line() <= 0 || idx < 0) {
        parts.add(d.format(new SourceFile(modelName, composed)));
        continue;
      }
      Entry e = entries.get(idx);
      int line = e.firstLine() + (s.line() - starts.get(idx)[0]);
      SourceFile at = new SourceFile(e.origin(), "\n".repeat(e.firstLine() - 1) + e.text());
      parts.add(new Diagnostic(new Span(line, s.column(), s.length()), d.message(), d.hint()).format(at));
    }
    return String.join("\n\n", parts) + (parts.size() > 1 ? "\n\n" + parts.size() + " errors" : "");
  }

  /** The latents, data variables and networks the statements declare, for completion. */
  List<String> declaredNames() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      for (String k : e.keys()) {
        if (k.startsWith("var ") || k.startsWith("network ")) out.add(k.substring(k.indexOf(' ') + 1));
      }
    }
    return out;
  }
}
