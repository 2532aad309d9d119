package vaec.stdlib.estimators;

import java.util.List;

/**
 * One setting of an estimator, as written in {@code using NAME(key = value)}: a number with a
 * range, or a name from a list. {@link #check} returns null for a good value, else what is wrong.
 */
public record Setting(String name, Object defaultValue, List<String> names, double min, boolean minOpen, double max,
                      boolean whole, String meaning) {

  /** A number in (min, max] when {@code minOpen}, else [min, max]; {@code whole} for counts. */
  public static Setting number(String name, double defaultValue, double min, boolean minOpen, double max, boolean whole,
                               String meaning) {
    return new Setting(name, defaultValue, null, min, minOpen, max, whole, meaning);
  }

  /** One of {@code names}. */
  public static Setting choice(String name, String defaultValue, List<String> names, String meaning) {
    return new Setting(name, defaultValue, names, 0, false, 0, false, meaning);
  }

  public boolean isChoice() { return names != null; }

  /** Null when {@code value} (a Double or a String) is acceptable, else the message. */
  public String check(Object value) {
    if (isChoice()) {
      return value instanceof String s && names.contains(s) ? null
          : name + " must be one of " + String.join(", ", names) + " (" + meaning + ")";
    }
    if (!(value instanceof Double d) || !Double.isFinite(d) || (minOpen ? d <= min : d < min) || d > max
        || (whole && d != Math.rint(d))) {
      String kind = whole ? "whole number" : "number";
      String range = min == 0 && Double.isInfinite(max) ? (minOpen ? "a positive " : "a non-negative ") + kind
          : "a " + kind + (minOpen ? " above " : " from ") + fmt(min) + (Double.isInfinite(max) ? "" : " to " + fmt(max));
      return name + " must be " + range + " (" + meaning + ")";
    }
    // A fraction enters the graphs' float32 arithmetic: beyond its largest number it is infinite
    // there. The bound is FINITE only: each setting's own range says which small values make sense,
    // and 0 is in most of them (beta = 0), so one that rounds to 0 is no surprise. A whole number
    // is a count, used as such and never as a float32 value in the graphs.
    String range = whole ? null : vaec.runtime.Float32.problem(name, d, vaec.runtime.Float32.Bound.FINITE);
    return range == null ? null : range + " (" + meaning + ")";
  }

  static String fmt(double v) { return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v); }
}
