package vaec.cli;

/**
 * Gathers lines into one REPL entry: a line that opens a { or ( block continues until the block
 * is closed. Comments and strings are skipped when counting.
 */
final class ReplInput {
  private final StringBuilder text = new StringBuilder();
  private int depth;
  private int firstLine;

  boolean isEmpty() { return text.length() == 0; }

  int firstLine() { return firstLine; }

  /** Adds line {@code n}; true when the entry is complete. */
  boolean add(String line, int n) {
    if (text.length() == 0) {
      if (line.isBlank()) return false;
      firstLine = n;
    } else {
      text.append('\n');
    }
    text.append(line);
    depth += depth(line);
    return depth <= 0;
  }

  String take() {
    String s = text.toString();
    text.setLength(0);
    depth = 0;
    return s;
  }

  /** Opened minus closed brackets on a line, outside comments and strings. */
  static int depth(String line) {
    int d = 0;
    boolean string = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (string) {
        if (c == '"') string = false;
        continue;
      }
      if (c == '"') string = true;
      else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') break;
      else if (c == '{' || c == '(' || c == '[') d++;
      else if (c == '}' || c == ')' || c == ']') d--;
    }
    return d;
  }

  /** Whether {@code text} (possibly several lines) leaves a block open. */
  static boolean open(String text) {
    int d = 0;
    for (String l : text.split("\n", -1)) d += depth(l);
    return d > 0;
  }
}
