package vaec.compiler;

import java.util.List;
import java.util.stream.Collectors;
import vaec.runtime.UserError;

/** One or more diagnostics that stop compilation; the message is all of them, formatted. */
public final class CompileError extends UserError {
  private final List<Diagnostic> diagnostics;

  public CompileError(SourceFile file, List<Diagnostic> diagnostics) {
    super(diagnostics.stream().map(d -> d.format(file)).collect(Collectors.joining("\n\n"))
        + (diagnostics.size() > 1 ? "\n\n" + diagnostics.size() + " errors" : ""));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() { return diagnostics; }
}
