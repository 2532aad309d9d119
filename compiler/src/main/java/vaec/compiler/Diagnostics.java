package vaec.compiler;

import java.util.ArrayList;
import java.util.List;

/** Collects a pass's errors so that one run reports all it can, then stops before the next pass. */
public final class Diagnostics {
  private final SourceFile file;
  private final List<Diagnostic> errors = new ArrayList<>();

  public Diagnostics(SourceFile file) { this.file = file; }

  public SourceFile file() { return file; }

  public void error(Span span, String message) { errors.add(new Diagnostic(span, message, null)); }

  public void error(Span span, String message, String hint) { errors.add(new Diagnostic(span, message, hint)); }

  public boolean hasErrors() { return !errors.isEmpty(); }

  /** Throws the collected errors, if any, in source order. */
  public void throwIfAny() {
    if (errors.isEmpty()) return;
    List<Diagnostic> sorted = new ArrayList<>(errors);
    sorted.sort((a, b) -> a.span().line() != b.span().line() ? Integer.compare(a.span().line(), b.span().line())
        : Integer.compare(a.span().column(), b.span().column()));
    throw new CompileError(file, sorted);
  }
}
