package vaec.stdlib.distributions;

/**
 * One argument of a distribution: its name, the set its values must lie in, and whether it must
 * be a number written in the model file ({@code constant}: a setting fixed when the graph is
 * built, such as a relaxation's temperature) rather than a computed value.
 */
public record ParamSpec(String name, Constraint constraint, boolean constant) {
  /** An argument that may be any value of the right width. */
  public ParamSpec(String name, Constraint constraint) { this(name, constraint, false); }

  /** The values an argument may take; checked on constants at compile time. */
  public enum Constraint {
    REAL("any real number"), POSITIVE("positive"), UNIT_INTERVAL("in [0, 1]"),
    /** A probability whose ends make the density degenerate (NegativeBinomial's probs: 1 gives infinite counts). */
    OPEN_UNIT_INTERVAL("strictly between 0 and 1"),
    /** A number of codes: a whole number from 2 to 1,000,000. */
    CODE_COUNT("a whole number from 2 to 1000000");

    private final String text;

    Constraint(String text) { this.text = text; }

    public boolean admits(double v) {
      return switch (this) {
        case REAL -> Double.isFinite(v);
        case POSITIVE -> v > 0 && Double.isFinite(v);
        case UNIT_INTERVAL -> v >= 0 && v <= 1;
        case OPEN_UNIT_INTERVAL -> v > 0 && v < 1;
        case CODE_COUNT -> v >= 2 && v <= 1_000_000 && v == Math.rint(v);
      };
    }

    @Override public String toString() { return text; }
  }
}
