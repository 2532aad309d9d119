package vaec.runtime.graph;

/**
 * The model statement a graph node was lowered from, so that a runtime fault (a value that went
 * non-finite) can be reported as {@code file:line:col} with the statement's text.
 */
public record SourceRef(String file, int line, int column, String text) {
  public static final SourceRef NONE = new SourceRef("<generated>", 0, 0, "");

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column + ": " + text.strip() : file;
  }
}
