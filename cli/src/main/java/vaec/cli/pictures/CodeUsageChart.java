package vaec.cli.pictures;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import vaec.stdlib.metrics.CodeUsage;

/**
 * codes.png: how a codebook latent uses its codes on the test set, one line per codebook latent:
 * the fraction of (example, position) pairs choosing each code, codes sorted from the most to the
 * least used (a flat line at 1/K is a codebook used evenly; a line that drops to zero early shows
 * dead codes).
 */
public final class CodeUsageChart {
  private CodeUsageChart() {}

  public static void write(Path png, List<CodeUsage.Counts> usage) {
    XYChart chart = Charts.xyChart(LossChart.WIDTH, LossChart.HEIGHT, "Code usage on the test set", "code, by rank of use",
        "fraction of positions");
    for (CodeUsage.Counts u : usage) {
      long total = Arrays.stream(u.counts()).sum();
      long[] sorted = u.counts().clone();
      Arrays.sort(sorted);
      double[] x = new double[sorted.length];
      double[] y = new double[sorted.length];
      for (int i = 0; i < sorted.length; i++) {
        x[i] = i + 1;
        y[i] = total == 0 ? 0 : (double) sorted[sorted.length - 1 - i] / total;
      }
      String name = String.format(Locale.ROOT, "%s: perplexity %.1f, %d of %d codes in use", u.latent(), u.perplexity(), u.inUse(), u.codes());
      chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
    Charts.write(chart, png);
  }
}
