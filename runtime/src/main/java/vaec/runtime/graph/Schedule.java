package vaec.runtime.graph;

/**
 * A value that changes with the training step: max(minimum, initial * exp(-rate * step)), the
 * annealing Jang et al. use for the Concrete temperature. A rate of 0 is a constant.
 */
public record Schedule(double initial, double rate, double minimum) {
  public static Schedule fixed(double value) { return new Schedule(value, 0, value); }

  public double at(long step) {
    if (rate == 0 || step <= 0) return initial;
    return Math.max(minimum, initial * Math.exp(-rate * step));
  }

  public boolean isFixed() { return rate == 0; }

  @Override
  public String toString() {
    return isFixed() ? String.valueOf(initial) : "max(" + minimum + ", " + initial + " exp(-" + rate + " step))";
  }
}
