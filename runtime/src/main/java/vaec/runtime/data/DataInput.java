package vaec.runtime.data;

/**
 * A data variable of a compiled model: its name, width (all dimensions flattened), declared
 * domain, one-hot group size (the width unless it is onehot[n, k]), where its values come from
 * ({@code binding}, or null for the default rule), and whether a likelihood scores it
 * ({@code scored}) or the model only reads it (a conditioning input). {@code declaration} is the
 * declaration as written (for messages), {@code line} its line in the model file.
 */
public record DataInput(String name, int width, ValueDomain domain, int groupSize, DataBinding binding, boolean scored,
                        String declaration, int line) {
  public DataInput(String name, int width, ValueDomain domain, DataBinding binding, boolean scored) {
    this(name, width, domain, width, binding, scored, "data " + name + " : " + typeText(domain, width), 0);
  }

  /** The declaration's type as a user writes it, e.g. {@code real[784] in [0, 1]}. */
  public static String typeText(ValueDomain domain, int width) {
    return switch (domain) {
      case REAL -> "real[" + width + "]";
      case UNIT_INTERVAL -> "real[" + width + "] in [0, 1]";
      case BINARY -> "binary[" + width + "]";
      case ONE_HOT -> "onehot[" + width + "]";
      case CODES -> "codes[" + width + "]";
      case COUNT -> "count[" + width + "]";
      case TOKENS -> "tokens[" + width + "]";
    };
  }

  /** The type part of the declaration, e.g. {@code onehot[10]}. */
  public String type() {
    int colon = declaration.indexOf(" : ");
    return colon < 0 ? typeText(domain, width) : declaration.substring(colon + 3);
  }

  /** The same variable reading its values from {@code b}. */
  public DataInput withBinding(DataBinding b) { return new DataInput(name, width, domain, groupSize, b, scored, declaration, line); }

  /** A conditioning input: data the model reads but does not score. */
  public boolean conditioning() { return !scored; }

  /** True for a single group of one-hot classes, which a column of class indices can fill. */
  public boolean singleOneHot() { return domain == ValueDomain.ONE_HOT && groupSize == width; }

  /** Data that dynamic binarization turns into 0/1 values: declared in [0, 1] or binary. */
  public boolean binarizable() { return domain == ValueDomain.UNIT_INTERVAL || domain == ValueDomain.BINARY; }
}
