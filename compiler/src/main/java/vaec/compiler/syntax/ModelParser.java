package vaec.compiler.syntax;

import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import vaec.compiler.Diagnostics;
import vaec.compiler.SourceFile;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.grammar.VaeLexer;
import vaec.grammar.VaeParser;

/** Pass 1: text to AST. Syntax errors become diagnostics with the offending token underlined. */
public final class ModelParser {
  private ModelParser() {}

  public static Ast.Program parse(SourceFile file) {
    Diagnostics diags = new Diagnostics(file);
    VaeParser parser = parser(file, diags);
    VaeParser.ProgramContext tree = parser.program();
    diags.throwIfAny();
    NestingLimit.checkTree(tree, diags);
    diags.throwIfAny();
    return new AstBuilder(file).program(tree);
  }

  /**
   * One expression, the whole of {@code file}'s text, by the grammar's {@code expr} rule (the value
   * of a train block setting): for a flag that stands for a setting, such as {@code --objective},
   * whose mistakes are reported against the flag's own text.
   */
  public static Ast.Expr parseExpression(SourceFile file) {
    Diagnostics diags = new Diagnostics(file);
    VaeParser parser = parser(file, diags);
    VaeParser.ExprContext tree = parser.expr();
    diags.throwIfAny();
    Token next = parser.getCurrentToken();
    if (next.getType() != Token.EOF) {
      int len = next.getText() == null ? 1 : Math.max(1, next.getText().length());
      diags.error(new Span(next.getLine(), next.getCharPositionInLine() + 1, len), "unexpected " + SyntaxErrors.describe(next)
          + " after the expression", "give one value, such as iwae(samples = 5)");
      diags.throwIfAny();
    }
    NestingLimit.checkTree(tree, diags);
    diags.throwIfAny();
    return new AstBuilder(file).expr(tree);
  }

  /**
   * A parser over {@code file}'s tokens that reports syntax errors to {@code diags}; input nested
   * deeper than the limit is refused first, since the parser recurses once per level.
   */
  private static VaeParser parser(SourceFile file, Diagnostics diags) {
    VaeLexer lexer = new VaeLexer(CharStreams.fromString(file.text(), file.name()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    NestingLimit.checkTokens(tokens.getTokens(), diags);
    diags.throwIfAny();
    VaeParser parser = new VaeParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(new SyntaxErrors(diags));
    return parser;
  }

  /** Turns ANTLR's reports into diagnostics; only the first per line, since later ones are echoes. */
  private static final class SyntaxErrors extends BaseErrorListener {
    private final Diagnostics diags;
    private int lastLine = -1;

    SyntaxErrors(Diagnostics diags) { this.diags = diags; }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
                            RecognitionException e) {
      if (line == lastLine) return;
      lastLine = line;
      Token t = offending instanceof Token tok ? tok : null;
      int len = t != null && t.getText() != null && t.getType() != Token.EOF ? Math.max(1, t.getText().length()) : 1;
      String what = t == null ? "input" : describe(t);
      String message;
      if (t != null && t.getType() == VaeLexer.ERROR_CHAR) message = "unexpected character " + what;
      else if (msg.startsWith("missing ")) message = msg.replace("missing ", "expected ").replaceAll(" at .*", "") + " before " + what;
      else if (msg.startsWith("extraneous input") || msg.startsWith("mismatched input") || msg.startsWith("no viable alternative")) {
        message = "unexpected " + what;
      } else message = msg;
      String hint = null;
      int exp = msg.indexOf("expecting ");
      if (exp >= 0) hint = "expected " + msg.substring(exp + "expecting ".length()).replace("NEWLINE", "a new line")
          .replace("<EOF>", "end of file");
      diags.error(new Span(line, col + 1, len), message, hint);
    }

    private static String describe(Token t) {
      if (t.getType() == Token.EOF) return "end of file";
      if (t.getType() == VaeLexer.NEWLINE) return "end of line";
      return "'" + t.getText() + "'";
    }
  }
}
