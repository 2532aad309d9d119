package vaec.stdlib.distributions;

/** One argument of a distribution: its name and the set its values must lie in. */
public record ParamSpec(String name, Constraint constraint) {
  /** The values an argument may take; checked on constants at compile time. */
  public enum Constraint {
    REAL("any real number"), POSITIVE("positive"), UNIT_INTERVAL("in [0, 1]");

    private final String text;

    Constraint(String text) { this.text = text; }

    public boolean admits(double v) {
      return switch (this) {
        case REAL -> Double.isFinite(v);
        case POSITIVE -> v > 0 && Double.isFinite(v);
        case UNIT_INTERVAL -> v >= 0 && v <= 1;
      };
    }

    @Override public String toString() { return text; }
  }
}
