package vaec.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.grammar.VaeParser;

/** Builds the AST from ANTLR's parse tree, keeping positions for every construct. */
final class AstBuilder {
  private final SourceFile file;

  AstBuilder(SourceFile file) { this.file = file; }

  Ast.Program program(VaeParser.ProgramContext ctx) {
    List<Ast.Decl> decls = new ArrayList<>();
    for (VaeParser.DeclarationContext d : ctx.declaration()) decls.add(decl(d));
    return new Ast.Program(decls);
  }

  private Ast.Decl decl(VaeParser.DeclarationContext d) {
    if (d instanceof VaeParser.ModelDeclContext m) return new Ast.ModelDecl(m.name.getText(), span(m));
    if (d instanceof VaeParser.DataDeclContext v) {
      return new Ast.VarDecl(true, v.name.getText(), type(v.typeSpec()), span(v), span(v.name), source(v.dataSource()));
    }
    if (d instanceof VaeParser.LatentDeclContext v) return new Ast.VarDecl(false, v.name.getText(), type(v.typeSpec()), span(v), span(v.name), null);
    if (d instanceof VaeParser.NetworkDeclContext n) return new Ast.NetworkDecl(n.name.getText(), call(n.call()), span(n), span(n.name));
    if (d instanceof VaeParser.ModelSectionContext s) {
      Ast.SectionKind kind = Ast.SectionKind.valueOf(s.section.getText().toUpperCase(java.util.Locale.ROOT));
      List<Ast.Stmt> stmts = new ArrayList<>();
      for (VaeParser.StatementContext st : s.body().statement()) stmts.add(stmt(st));
      return new Ast.Section(kind, stmts, span(s), s.modifier == null ? null : call(s.modifier));
    }
    VaeParser.TrainDeclContext t = (VaeParser.TrainDeclContext) d;
    List<Ast.Setting> settings = new ArrayList<>();
    for (VaeParser.SettingContext s : t.setting()) settings.add(new Ast.Setting(s.key.getText(), expr(s.value), span(s), span(s.key)));
    return new Ast.TrainDecl(settings, span(t));
  }

  /** The {@code from ...} clause: a quoted file, a part name, or a part name with a column range. */
  private Ast.Source source(VaeParser.DataSourceContext s) {
    if (s == null) return null;
    if (s.file != null) {
      String raw = s.file.getText();
      return new Ast.FileSource(raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"), span(s));
    }
    VaeParser.SliceContext sl = s.slice();
    if (sl == null) return new Ast.PartSource(s.part.getText(), span(s));
    Integer from = sl.index != null ? Integer.valueOf(parseInt(sl.index)) : sl.from == null ? null : parseInt(sl.from);
    Integer to = sl.index != null ? Integer.valueOf(parseInt(sl.index) + 1) : sl.to == null ? null : parseInt(sl.to);
    // The checker reports a range on anything but 'columns', naming the part as written.
    return s.part.getText().equals("columns") ? new Ast.ColumnsSource(from, to, span(s))
        : new Ast.PartSource(s.part.getText() + "[" + text(sl) + "]", span(s));
  }

  private Ast.Type type(VaeParser.TypeSpecContext t) {
    List<Integer> dims = new ArrayList<>();
    for (Token d : t.dims) dims.add(parseInt(d));
    Double low = null;
    Double high = null;
    if (t.domain() != null) {
      low = signed(t.domain().low);
      high = signed(t.domain().high);
    }
    return new Ast.Type(t.kind.getText(), dims, low, high, span(t));
  }

  private static int parseInt(Token t) {
    try {
      return Integer.parseInt(t.getText());
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;   // the checker reports sizes this large
    }
  }

  private static double signed(VaeParser.SignedNumberContext s) {
    double v = Double.parseDouble(s.number().getText());
    return s.getChild(0).getText().equals("-") ? -v : v;
  }

  private Ast.Stmt stmt(VaeParser.StatementContext s) {
    String text = text(s);
    if (s instanceof VaeParser.SampleStatementContext st) {
      Ast.Call est = null;
      if (st.estimator() != null) {
        est = st.estimator().call() != null ? call(st.estimator().call())
            : new Ast.Call(st.estimator().name.getText(), List.of(), span(st.estimator().name), span(st.estimator().name));
      }
      return new Ast.Sample(st.target.getText(), expr(st.distribution), est, span(st), span(st.target), text);
    }
    VaeParser.AssignStatementContext a = (VaeParser.AssignStatementContext) s;
    List<String> targets = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (Token t : a.targets) {
      targets.add(t.getText());
      spans.add(span(t));
    }
    return new Ast.Assign(targets, expr(a.value), span(a), spans, text);
  }

  private String text(ParserRuleContext c) {
    int a = c.getStart().getStartIndex();
    int b = c.getStop() == null ? a : c.getStop().getStopIndex();
    return b >= a ? file.text().substring(a, b + 1) : "";
  }

  Ast.Expr expr(VaeParser.ExprContext e) {
    if (e instanceof VaeParser.SliceExprContext s) {
      VaeParser.SliceContext sl = s.slice();
      if (sl.index != null) {
        int i = parseInt(sl.index);
        return new Ast.SliceExpr(expr(s.expr()), i, i + 1, true, span(s));
      }
      return new Ast.SliceExpr(expr(s.expr()), sl.from == null ? null : parseInt(sl.from),
          sl.to == null ? null : parseInt(sl.to), false, span(s));
    }
    if (e instanceof VaeParser.NegateExprContext n) return new Ast.Negate(expr(n.expr()), span(n));
    if (e instanceof VaeParser.BinaryExprContext b) {
      return new Ast.Binary(b.op.getText().charAt(0), expr(b.expr(0)), expr(b.expr(1)), span(b.op));
    }
    if (e instanceof VaeParser.ArrowExprContext a) {
      List<Ast.Expr> items = new ArrayList<>();
      flattenArrow(a, items);
      return new Ast.Arrow(items, span(a));
    }
    if (e instanceof VaeParser.CallExprContext c) return call(c.call());
    if (e instanceof VaeParser.NameExprContext n) return new Ast.Name(n.getText(), span(n));
    if (e instanceof VaeParser.NumberExprContext n) return new Ast.Num(Double.parseDouble(n.getText()), span(n));
    if (e instanceof VaeParser.StringExprContext s) {
      String raw = s.getText();
      return new Ast.Str(raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"), span(s));
    }
    return expr(((VaeParser.ParenExprContext) e).expr());
  }

  private void flattenArrow(VaeParser.ExprContext e, List<Ast.Expr> out) {
    if (e instanceof VaeParser.ArrowExprContext a) {
      flattenArrow(a.expr(0), out);
      flattenArrow(a.expr(1), out);
    } else out.add(expr(e));
  }

  Ast.Call call(VaeParser.CallContext c) {
    List<Ast.Arg> args = new ArrayList<>();
    for (VaeParser.ArgumentContext a : c.argument()) {
      args.add(new Ast.Arg(a.name == null ? null : a.name.getText(), expr(a.expr()), span(a)));
    }
    return new Ast.Call(c.callee.getText(), args, span(c), span(c.callee));
  }

  private static Span span(Token t) {
    return new Span(t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getText().length()));
  }

  private static Span span(ParserRuleContext c) {
    Token a = c.getStart();
    Token b = c.getStop();
    int len = b != null && b.getLine() == a.getLine() ? b.getStopIndex() - a.getStartIndex() + 1 : a.getText().length();
    return new Span(a.getLine(), a.getCharPositionInLine() + 1, Math.max(1, len));
  }
}
