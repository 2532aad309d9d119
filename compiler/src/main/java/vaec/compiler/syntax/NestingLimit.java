package vaec.compiler.syntax;

import java.util.ArrayDeque;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import vaec.compiler.Diagnostics;
import vaec.compiler.Span;
import vaec.grammar.VaeLexer;
import vaec.grammar.VaeParser;

/**
 * Refuses expressions nested more deeply than {@link #LIMIT}, before any recursive pass sees
 * them: the parser, the AST builder and every later pass recurse once or more per level, and a
 * few thousand levels overflow the thread's stack.
 *
 * <p>Two checks, neither recursive. {@link #checkTokens} runs on the token stream before parsing
 * and counts what makes the parser itself recurse: open brackets (calls, parentheses, slices)
 * and chains of unary minus. {@link #checkTree} runs on the parse tree before the AST is built
 * and counts expression nodes along each path, which also catches long operator chains (the
 * parser reads {@code a + b + c ...} in a loop, but the tree it builds is as deep as the chain).
 *
 * <p>200 levels is far beyond what a model needs (the examples nest at most 6 deep) and far
 * below what the passes can take: NestingLimitTest compiles models at the limit, of every
 * kind of nesting, on a thread with half the JVM's default 1 MiB stack (the deepest user is
 * ANTLR's generated parser, about 1.3 KiB of stack per level of nested calls when interpreted).
 */
final class NestingLimit {
  static final int LIMIT = 200;

  private NestingLimit() {}

  private static String message(int levels) {
    return "expression nested too deeply: " + levels + " levels, the limit is " + LIMIT;
  }

  /** Checks the tokens (all of them, already lexed) and reports at the first token past the limit. */
  static void checkTokens(List<Token> tokens, Diagnostics diags) {
    // true = an open bracket, false = a unary minus still waiting for its operand.
    ArrayDeque<Boolean> open = new ArrayDeque<>();
    int max = 0;
    Token first = null;
    boolean afterOperand = false;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      int type = t.getType();
      boolean operandEnd = false;
      switch (type) {
        case VaeLexer.LPAREN, VaeLexer.LBRACK -> open.push(true);
        case VaeLexer.RPAREN, VaeLexer.RBRACK -> {
          popUnary(open);
          if (!open.isEmpty()) open.pop();
          operandEnd = true;
        }
        case VaeLexer.ID, VaeLexer.INT, VaeLexer.FLOAT, VaeLexer.STRING -> {
          boolean call = type == VaeLexer.ID && i + 1 < tokens.size() && tokens.get(i + 1).getType() == VaeLexer.LPAREN;
          operandEnd = !call;
        }
        case VaeLexer.NEWLINE -> popUnary(open);
        default -> {
          if (t.getText().equals("-") && !afterOperand) open.push(false);
        }
      }
      if (operandEnd) popUnary(open);
      afterOperand = operandEnd;
      if (open.size() > max) {
        max = open.size();
        if (max > LIMIT && first == null) first = t;
      }
    }
    if (first != null) diags.error(span(first), message(max));
  }

  private static void popUnary(ArrayDeque<Boolean> open) {
    while (!open.isEmpty() && !open.peek()) open.pop();
  }

  /** Checks the depth of expression nodes in the parse tree, without recursion. */
  static void checkTree(ParseTree root, Diagnostics diags) {
    ArrayDeque<ParseTree> nodes = new ArrayDeque<>();
    ArrayDeque<Integer> depths = new ArrayDeque<>();
    nodes.push(root);
    depths.push(0);
    int max = 0;
    ParserRuleContext first = null;
    while (!nodes.isEmpty()) {
      ParseTree n = nodes.pop();
      int d = depths.pop();
      if (n instanceof VaeParser.ExprContext e) {
        d++;
        if (d > max) max = d;
        if (d > LIMIT && first == null) first = e;
      }
      for (int i = n.getChildCount() - 1; i >= 0; i--) {
        if (n.getChild(i) instanceof ParserRuleContext) {
          nodes.push(n.getChild(i));
          depths.push(d);
        }
      }
    }
    if (first != null) diags.error(span(first.getStart()), message(max));
  }

  private static Span span(Token t) {
    return new Span(t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getText() == null ? 1 : t.getText().length()));
  }
}
