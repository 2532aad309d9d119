package vaec.compiler;

/** Where a construct sits in its file: 1-based line and column, and its length on that line. */
public record Span(int line, int column, int length) {
  public static final Span NONE = new Span(0, 0, 0);
}
