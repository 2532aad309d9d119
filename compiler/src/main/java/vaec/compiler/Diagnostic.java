package vaec.compiler;

/**
 * One error in a model file, printed the way compilers print them:
 *
 * <pre>
 * model.vae:12:31: error: unknown network 'decodr'
 *    12 | likelihood x ~ Bernoulli(logits = decodr(z))
 *       |                                   ^^^^^^
 *       = did you mean 'decoder'?
 * </pre>
 */
public record Diagnostic(Span span, String message, String hint) {
  public String format(SourceFile file) {
    StringBuilder b = new StringBuilder();
    b.append(file.name()).append(':').append(span.line()).append(':').append(span.column()).append(": error: ").append(message);
    if (span.line() > 0) {
      String text = file.line(span.line()).replace('\t', ' ');
      String num = String.valueOf(span.line());
      String pad = " ".repeat(num.length());
      b.append('\n').append(' ').append(num).append(" | ").append(text);
      b.append('\n').append(' ').append(pad).append(" | ")
          .append(" ".repeat(Math.max(0, span.column() - 1)))
          .append("^".repeat(Math.max(1, Math.min(span.length(), Math.max(1, text.length() - span.column() + 1)))));
      if (hint != null) b.append('\n').append(' ').append(pad).append(" = ").append(hint);
    } else if (hint != null) {
      b.append("\n  = ").append(hint);
    }
    return b.toString();
  }
}
