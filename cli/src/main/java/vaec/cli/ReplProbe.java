package vaec.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.compiler.CompileError;
import vaec.compiler.Diagnostic;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.compiler.check.Resolver;
import vaec.compiler.check.ShapeChecker;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.syntax.ModelParser;
import vaec.runtime.UserError;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.exec.Executor;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.Unary;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.stdlib.Catalog;

/**
 * The REPL's {@code inspect}: an expression of the model evaluated on a batch of examples with the
 * trained parameters. The expression is checked by the compiler's own passes, as the location
 * argument of a probe latent's guide added to the model text (at the top level, or inside a
 * {@code guide { }} block, where that block's local values are in scope); latents it reads take
 * their guide means on each example. The checked expression is then built into a small graph over
 * the model's parameters and run.
 */
final class ReplProbe {
  static final String PROBE = "repl_probe";
  private static final Pattern WIDTH = Pattern.compile("has width (\\d+) but " + PROBE + " has width 1");

  /** A value per example: rows of the same width. */
  record Value(String label, float[][] rows) {}

  private ReplProbe() {}

  /**
   * The IR of {@code expr} (the text the user typed, written at REPL line {@code line}, column
   * {@code column} of {@code lineText}) in the scope of the model {@code model}; its mistakes are
   * reported against the input line.
   */
  static IrExpr check(ReplModel model, String expr, String lineText, int line, int column) {
    // The expression is compiled inside "Normal(EXPR, 1)": a closing bracket or a comma of its own
    // at the top level would end that call early, and the parser then named a ',' the user never
    // typed, past the end of the line. Such a character is reported where it stands.
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < expr.length(); i++) {
      char ch = expr.charAt(i);
      if (ch == '"') quoted = !quoted;
      if (quoted) continue;
      if (ch == '(' || ch == '[') depth++;
      else if ((ch == ')' || ch == ']') && --depth < 0 || ch == ',' && depth == 0) {
        String message = ch == ',' ? "inspect takes one expression; a ',' outside brackets ends it"
            : "unexpected '" + ch + "': it closes no '" + (ch == ')' ? '(' : '[') + "'";
        String hint = ch == ',' ? "inspect split(EXPR, 3, 5) shows parts of one value" : null;
        SourceFile input = new SourceFile("repl", "\n".repeat(Math.max(0, line - 1)) + lineText);
        throw new UserError(new Diagnostic(new Span(line, column + i, 1), message, hint).format(input));
      }
    }
    CompileError first = null;
    String firstText = null;
    List<String> variants = new ArrayList<>();
    variants.add(model.text() + "\nguide " + PROBE + " ~ Normal(" + expr + ", 1)\n");
    for (ReplModel.Entry e : model.entries()) {
      if (e.keys().stream().noneMatch(k -> k.startsWith("guide "))) continue;
      int close = e.text().lastIndexOf('}');
      if (close < 0) continue;
      String block = e.text().substring(0, close) + "\n  " + PROBE + " ~ Normal(" + expr + ", 1)\n" + e.text().substring(close);
      StringBuilder b = new StringBuilder();
      for (ReplModel.Entry o : model.entries()) b.append(o == e ? block : o.text()).append('\n');
      variants.add(b.toString());
    }
    for (String v : variants) {
      String head = v + "latent " + PROBE + " : real[WIDTH]\nprior " + PROBE + " ~ Normal(0, 1)\n";
      try {
        return probe(head, 1);
      } catch (CompileError e) {
        Integer w = width(e);
        if (w != null) {
          try {
            return probe(head, w);
          } catch (CompileError again) {
            e = again;
          }
        }
        // Report the scope where the expression got furthest: the fewest diagnostics (first on a tie).
        if (first == null || e.diagnostics().size() < first.diagnostics().size()) {
          first = e;
          firstText = head.replace("real[WIDTH]", "real[" + (w == null ? 1 : w) + "]");
        }
      }
    }
    throw new UserError(locate(first, firstText, expr, lineText, line, column));
  }

  private static Integer width(CompileError e) {
    for (Diagnostic d : e.diagnostics()) {
      Matcher m = WIDTH.matcher(d.message());
      if (m.find()) return Integer.parseInt(m.group(1));
    }
    return null;
  }

  private static IrExpr probe(String text, int width) {
    SourceFile src = new SourceFile("<inspect>", text.replace("real[WIDTH]", "real[" + width + "]"));
    Ast.Program ast = ModelParser.parse(src);
    var symbols = Resolver.resolve(ast, src, Catalog.standard());
    ProbModel m = ShapeChecker.check(symbols, src, Catalog.standard());
    return m.guideOf(PROBE).args().get("loc");
  }

  /** The diagnostics on the probe's line, moved onto the user's expression; others without a place. */
  private static String locate(CompileError e, String text, String expr, String lineText, int line, int column) {
    List<String> out = new ArrayList<>();
    String prefix = PROBE + " ~ Normal(";
    SourceFile composed = new SourceFile("<inspect>", text);
    SourceFile input = new SourceFile("repl", "\n".repeat(Math.max(0, line - 1)) + lineText);
    for (Diagnostic d : e.diagnostics()) {
      String message = d.message().replace(PROBE, "the expression");
      String at = d.span().line() > 0 ? composed.line(d.span().line()) : "";
      int p = at.indexOf(prefix);
      if (p >= 0 && d.span().column() > p + prefix.length()) {
        int exprCol = d.span().column() - (p + prefix.length());
        int len = Math.max(1, Math.min(d.span().length(), expr.length() - exprCol + 1));
        out.add(new Diagnostic(new Span(line, column + exprCol - 1, len), message, d.hint()).format(input));
      } else {
        out.add(new Diagnostic(new Span(line, column, expr.length()), message, d.hint()).format(input));
      }
    }
    return String.join("\n\n", out);
  }

  /**
   * The values of {@code exprs} on the rows of {@code batch}: data as given, each latent at its
   * guide mean. Parameters are the state's current ones.
   */
  static Map<String, float[][]> evaluate(ModelState state, BoundData batch, Map<String, IrExpr> exprs) {
    Evaluator.Encoding enc = new Evaluator(state).encode(batch);
    Map<String, float[][]> latents = new HashMap<>();
    int col = 0;
    for (int i = 0; i < enc.latents().size(); i++) {
      int w = enc.widths().get(i);
      float[][] part = new float[batch.rows()][w];
      for (int r = 0; r < batch.rows(); r++) System.arraycopy(enc.rows()[r], col, part[r], 0, w);
      latents.put(enc.latents().get(i), part);
      col += w;
    }
    Builder b = new Builder();
    for (var e : exprs.entrySet()) {
      if (e.getValue() instanceof IrExpr.Const) continue;
      b.g.output("out_" + e.getKey(), b.node(e.getValue()));
    }
    Map<String, float[][]> out = new LinkedHashMap<>();
    if (b.g.outputs().isEmpty()) {
      for (var e : exprs.entrySet()) out.put(e.getKey(), constant((IrExpr.Const) e.getValue(), batch.rows()));
      return out;
    }
    int n = batch.rows();
    Executor ex = new Executor(b.g, n, state.params());
    for (var in : b.g.inputs().entrySet()) {
      String name = in.getKey();
      float[][] rows;
      if (b.dataNames.contains(name)) {
        Dataset d = batch.get(name);
        rows = new float[n][d.width()];
        for (int r = 0; r < n; r++) d.copyRow(r, rows[r], 0);
      } else {
        rows = latents.get(name);
        if (rows == null) throw new UserError("latent " + name + " has no guide mean to evaluate at");
      }
      INDArray target = ex.input(name);
      target.assign(Nd4j.createFromArray(rows).castTo(target.dataType()).reshape(target.shape()));
    }
    ex.forward();
    for (var e : exprs.entrySet()) {
      if (e.getValue() instanceof IrExpr.Const c) out.put(e.getKey(), constant(c, n));
      else out.put(e.getKey(), ex.value("out_" + e.getKey()).castTo(DataType.FLOAT).toFloatMatrix());
    }
    return out;
  }

  private static float[][] constant(IrExpr.Const c, int n) {
    float[][] rows = new float[n][1];
    for (float[] r : rows) r[0] = (float) c.value();
    return rows;
  }

  /** IR to graph nodes, as the compiler lowers a site's arguments. */
  private static final class Builder {
    final Graph g = new Graph();
    final Map<String, Node> inputs = new HashMap<>();
    final java.util.Set<String> dataNames = new java.util.HashSet<>();
    final Map<IrExpr, Node> memo = new java.util.IdentityHashMap<>();

    Node node(IrExpr e) {
      Node done = memo.get(e);
      if (done != null) return done;
      SourceRef o = new SourceRef(e.origin().file(), e.origin().line(), e.origin().column(), e.origin().text());
      Node n;
      if (e instanceof IrExpr.Data d) {
        dataNames.add(d.name());
        n = inputs.computeIfAbsent(d.name(), k -> g.input(k, d.width()));
      } else if (e instanceof IrExpr.Latent l) n = inputs.computeIfAbsent(l.name(), k -> g.input(k, l.width()));
      else if (e instanceof IrExpr.Fn f) n = g.apply(new Unary(Catalog.standard().function(f.fn()).orElseThrow()), o, node(f.arg()));
      else if (e instanceof IrExpr.NetCall c) n = c.network().apply(g, o, node(c.input()));
      else if (e instanceof IrExpr.Slice sl) n = g.apply(new Slice(sl.from(), sl.to()), o, node(sl.target()));
      else if (e instanceof IrExpr.Concat c) {
        List<Node> parts = new ArrayList<>();
        for (IrExpr p : c.parts()) parts.add(node(p));
        n = g.apply(new Concat(), o, parts.toArray(new Node[0]));
      } else if (e instanceof IrExpr.Arith a) n = arith(a, o);
      else if (e instanceof IrExpr.Noise) throw new UserError("noise(...) draws fresh values at every evaluation; probe an expression that does not read it: "
          + e.origin().text());
      else throw new UserError("cannot evaluate a constant here: " + e.origin().text());
      memo.put(e, n);
      return n;
    }

    private Node arith(IrExpr.Arith a, SourceRef o) { return vaec.compiler.lower.GraphLowering.arith(g, o, a, this::node); }
  }

  /** "shape [100, 40]; mean ...; first values ..." for one value. */
  static List<String> summary(String label, float[][] rows) {
    int n = rows.length;
    int w = n == 0 ? 0 : rows[0].length;
    double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
    long count = 0;
    for (float[] r : rows) {
      for (float v : r) {
        sum += v;
        sq += (double) v * v;
        min = Math.min(min, v);
        max = Math.max(max, v);
        count++;
      }
    }
    double mean = sum / Math.max(1, count);
    double std = Math.sqrt(Math.max(0, sq / Math.max(1, count) - mean * mean));
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%s: shape [%d, %d]  mean %.4g  std %.4g  min %.4g  max %.4g", label, n, w, mean, std, min, max));
    if (n > 0) {
      StringBuilder b = new StringBuilder("  example 0:");
      for (int j = 0; j < Math.min(8, w); j++) b.append(String.format(Locale.ROOT, " %.4g", rows[0][j]));
      if (w > 8) b.append(" ...");
      out.add(b.toString());
    }
    return out;
  }
}
