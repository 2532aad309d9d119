package vaec.runtime;

/**
 * The range of 32-bit floats, in which vaec's graphs and optimizers compute: one predicate and one
 * wording for the checks of numbers a user writes (a model's constants, an estimator's or
 * objective's settings, the optimizer's lr and eps). A double beyond {@link Float#MAX_VALUE} in
 * magnitude (compared as a double) is infinite there; a nonzero one that rounds to 0 in float32
 * (below about 7e-46) is 0 there; one below {@link Float#MIN_NORMAL} is subnormal (fewer
 * significant bits). Each caller picks the {@link Bound} its numbers need and says why.
 */
public final class Float32 {
  private Float32() {}

  /** Which numbers a check lets through; each bound includes the ones before it. */
  public enum Bound {
    /** At most {@link Float#MAX_VALUE} in magnitude; a small value may become 0. */
    FINITE("it must be at most " + (double) Float.MAX_VALUE + " in magnitude"),
    /** As {@link #FINITE}, and a nonzero value must not round to 0 (subnormals pass). */
    NONZERO("it must be at most " + (double) Float.MAX_VALUE + " in magnitude, and 0 or large enough not to round to 0 (the smallest "
        + "32-bit float is " + Float.MIN_VALUE + ")"),
    /** As {@link #FINITE}, and a nonzero value must be a normal float: at least {@link Float#MIN_NORMAL} in magnitude. */
    NORMAL("it must be between " + (double) Float.MIN_NORMAL + " and " + (double) Float.MAX_VALUE + " in magnitude (the normal floats)");

    private final String range;

    Bound(String range) { this.range = range; }

    /** What the bound allows, as the messages say it. */
    public String range() { return range; }
  }

  /** Whether float32 holds {@code v} under {@code bound}; NaN and the infinities never pass. */
  public static boolean holds(double v, Bound bound) {
    double a = Math.abs(v);
    if (!(a <= Float.MAX_VALUE)) return false;   // also NaN and infinite doubles
    if (v == 0) return true;
    return switch (bound) {
      case FINITE -> true;
      case NONZERO -> (float) v != 0;
      case NORMAL -> a >= Float.MIN_NORMAL;
    };
  }

  /**
   * Null when float32 holds {@code v} under {@code bound}; else the message, always worded
   * {@code SUBJECT is VALUE, outside the range of 32-bit floats, in which vaec computes; it must be ...}.
   */
  public static String problem(String subject, double v, Bound bound) {
    return holds(v, bound) ? null
        : subject + " is " + text(v) + ", outside the range of 32-bit floats, in which vaec computes; " + bound.range();
  }

  /** A number as the messages write it: whole numbers without a fraction, others as Java prints a double. */
  public static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
