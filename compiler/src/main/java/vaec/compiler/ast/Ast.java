package vaec.compiler.ast;

import java.util.List;
import vaec.compiler.Span;

/**
 * The abstract syntax of a .vae file: what was written, with positions, and nothing decided yet.
 * Later passes resolve names, compute widths and build the probabilistic IR from it.
 */
public final class Ast {
  private Ast() {}

  public record Program(List<Decl> decls) {}

  public sealed interface Decl permits ModelDecl, VarDecl, NetworkDecl, Section, TrainDecl {
    Span span();
  }

  public record ModelDecl(String name, Span span) implements Decl {}

  /**
   * {@code data x : real[784] in [0,1]} or {@code latent z : real[20]}; {@code source} is the
   * data's {@code from ...} clause, or null when there is none (always null for latents).
   */
  public record VarDecl(boolean observed, String name, Type type, Span span, Span nameSpan, Source source) implements Decl {}

  /** Where a data variable's values come from, as written after {@code from}. */
  public sealed interface Source permits PartSource, ColumnsSource, FileSource {
    Span span();
  }

  /** {@code from labels}: a part of the dataset. */
  public record PartSource(String part, Span span) implements Source {}

  /** {@code from columns[a:b]}: columns a..b-1 of a file dataset; either end may be left open (null). */
  public record ColumnsSource(Integer from, Integer to, Span span) implements Source {}

  /** {@code from "labels.npy"}: a file of the variable's own. */
  public record FileSource(String path, Span span) implements Source {}

  public record Type(String kind, List<Integer> dims, Double low, Double high, Span span) {}

  /** {@code network encoder = MLP(784 -> 400 -> 40, activation = relu)}. */
  public record NetworkDecl(String name, Call spec, Span span, Span nameSpan) implements Decl {}

  public enum SectionKind { PRIOR, GUIDE, LIKELIHOOD }

  /**
   * A prior, guide or likelihood section; {@code modifier} is the call written between the keyword
   * and the body ({@code guide semi_implicit(K = 20) { ... }}), or null.
   */
  public record Section(SectionKind kind, List<Stmt> stmts, Span span, Call modifier) implements Decl {}

  public record TrainDecl(List<Setting> settings, Span span) implements Decl {}

  public record Setting(String key, Expr value, Span span, Span keySpan) {}

  public sealed interface Stmt permits Sample, Assign {
    Span span();
    /** The statement's source text, for runtime fault messages. */
    String text();
  }

  /** {@code z ~ Normal(mu, sigma) using reparameterized}. */
  public record Sample(String target, Expr distribution, Call estimator, Span span, Span targetSpan, String text) implements Stmt {}

  /** {@code mu, log_var = split(encoder(x))}. */
  public record Assign(List<String> targets, Expr value, Span span, List<Span> targetSpans, String text) implements Stmt {}

  public sealed interface Expr permits Num, Str, Name, Call, Binary, Negate, SliceExpr, Arrow {
    Span span();
  }

  public record Num(double value, Span span) implements Expr {}

  public record Str(String value, Span span) implements Expr {}

  public record Name(String name, Span span) implements Expr {}

  public record Call(String callee, List<Arg> args, Span span, Span calleeSpan) implements Expr {}

  public record Arg(String name, Expr value, Span span) {}

  public record Binary(char op, Expr left, Expr right, Span span) implements Expr {}

  public record Negate(Expr operand, Span span) implements Expr {}

  /** {@code h[a:b]}; {@code index} true for {@code h[i]} (then to = from + 1). */
  public record SliceExpr(Expr target, Integer from, Integer to, boolean index, Span span) implements Expr {}

  /** {@code 784 -> 400 -> 40}, flattened. */
  public record Arrow(List<Expr> items, Span span) implements Expr {}
}
