package vaec.cli;

import java.util.List;
import java.util.Locale;

/** A series of numbers as a one-line chart of block characters. */
final class ReplSparkline {
  private static final String BARS = "▁▂▃▄▅▆▇█";

  private ReplSparkline() {}

  /** At most {@code width} characters, each the mean of its share of the values; NaN shows as a space. */
  static String of(List<Double> values, int width) {
    int n = values.size();
    int cols = Math.min(width, n);
    double[] means = new double[cols];
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) {
      int from = (int) ((long) c * n / cols);
      int to = (int) ((long) (c + 1) * n / cols);
      double s = 0;
      int k = 0;
      for (int i = from; i < to; i++) {
        double v = values.get(i);
        if (Double.isFinite(v)) {
          s += v;
          k++;
        }
      }
      means[c] = k == 0 ? Double.NaN : s / k;
      if (k > 0) {
        lo = Math.min(lo, means[c]);
        hi = Math.max(hi, means[c]);
      }
    }
    StringBuilder b = new StringBuilder();
    for (double m : means) {
      if (!Double.isFinite(m)) b.append(' ');
      else b.append(BARS.charAt(hi > lo ? (int) Math.round((m - lo) / (hi - lo) * (BARS.length() - 1)) : 0));
    }
    return b.toString();
  }

  /** "loss per step (N steps, M per character): first .. last, min ..". */
  static String describe(List<Double> values, int width) {
    double min = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    int per = (int) Math.ceil(values.size() / (double) Math.min(width, values.size()));
    return String.format(Locale.ROOT, "training loss, %d steps (%d per character): %.2f %s %.2f  (min %.2f)", values.size(), per, values.get(0),
        of(values, width), values.get(values.size() - 1), min);
  }
}
