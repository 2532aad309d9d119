package vaec.cli.pictures;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The extent of a chart axis and its ticks, chosen so that the ticks fall on "nice" numbers
 * (1, 2 or 5 times a power of ten) and the extent starts and ends on a tick (Heckbert's
 * "Nice numbers for graph labels", Graphics Gems, 1990).
 */
record AxisScale(double min, double max, double step) {

  /** An axis covering [lo, hi] with about {@code targetTicks} ticks. */
  static AxisScale covering(double lo, double hi, int targetTicks) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
      throw new IllegalArgumentException("bad axis range [" + lo + ", " + hi + "]");
    }
    double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
    if (hi - lo <= Math.max(1e-300, 1e-9 * magnitude)) {
      // A single point or a (nearly) constant series: widen by 10% of the value, or by 1 around
      // zero, so that the step is not zero and the value sits mid-axis.
      double centre = lo + (hi - lo) / 2;
      double pad = magnitude < 1e-300 ? 1 : Math.abs(centre) * 0.1;
      lo = centre - pad;
      hi = centre + pad;
    }
    double range = nice(hi - lo, false);
    double step = nice(range / Math.max(1, targetTicks - 1), true);
    // The tolerance keeps a bound that is already a multiple of the step, such as 0.9 for a step
    // of 0.05 (0.9 / 0.05 = 17.999999999999996), from gaining an extra tick.
    double tolerance = 1e-9;
    return new AxisScale(
        Math.floor(lo / step + tolerance) * step, Math.ceil(hi / step - tolerance) * step, step);
  }

  /** The tick values from min to max; computed by multiplication so no rounding error piles up. */
  List<Double> ticks() {
    long count = Math.round((max - min) / step);
    List<Double> ticks = new ArrayList<>();
    for (long i = 0; i <= count; i++) {
      ticks.add(min + i * step);
    }
    return ticks;
  }

  /** A tick label with just enough decimals to tell neighbouring ticks apart. */
  String label(double value) {
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
    // Avoid "-0" for a tick that lands on zero up to rounding.
    return text.matches("-0(\\.0*)?") ? text.substring(1) : text;
  }

  /** Where {@code value} falls along the axis, 0 at min and 1 at max. */
  double fraction(double value) {
    return (value - min) / (max - min);
  }

  /** The nice number near x: rounded to the nearest one, or else the smallest at least x. */
  private static double nice(double x, boolean round) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(x)));
    // Shave off rounding error, so that a range of 0.20000000000000007 counts as 0.2 and not as
    // a bit more than 2 times 0.1.
    double f = x / magnitude * (1 - 1e-12);
    double niceFraction;
    if (round) {
      niceFraction = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    } else {
      niceFraction = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    }
    return niceFraction * magnitude;
  }
}
