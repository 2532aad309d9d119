package vaec.cli.pictures;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss curves per epoch, such as training and test negative ELBO, as a {@value #WIDTH}x{@value
 * #HEIGHT} PNG drawn with XChart: epochs 1, 2, ... on a linear x axis, the loss on a linear y axis
 * (a negative ELBO can be negative for continuous data, so a log axis would not do), a legend,
 * and a dot on every point so that a one-epoch run still shows.
 *
 * <p>NaN and infinite values are left out and break the line there. A curve with no finite value
 * at all is left out (it has nothing to draw); with no curves the picture has empty axes.
 */
public final class LossChart {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;

  /** One named curve: its value after each epoch, the first at epoch 1. */
  public record Curve(String name, double[] perEpoch) {
    public Curve {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(perEpoch, "perEpoch");
    }

    /** A curve from a list such as the checkpoint's curves hold; null entries count as missing. */
    public static Curve of(String name, List<Double> perEpoch) {
      return new Curve(name, perEpoch.stream().mapToDouble(v -> v == null ? Double.NaN : v).toArray());
    }
  }

  private LossChart() {}

  public static void write(Path png, String title, String yTitle, List<Curve> curves) {
    Charts.write(chart(title, yTitle, curves), png);
  }

  /** The chart before drawing: one series per curve that has a finite value. */
  static XYChart chart(String title, String yTitle, List<Curve> curves) {
    XYChart chart = Charts.xyChart(WIDTH, HEIGHT, title, "epoch", yTitle);
    // Epochs are whole numbers; a short run's axis may still place ticks between them.
    chart.setCustomXAxisTickLabelsFormatter(x -> x == Math.rint(x) ? Long.toString(Math.round(x)) : "");
    int index = 0;
    for (Curve c : curves) {
      double[] x = new double[c.perEpoch().length];
      double[] y = new double[x.length];
      boolean any = false;
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
        double v = c.perEpoch()[i];
        // XChart leaves NaN out and breaks the line there; it rejects infinities.
        y[i] = Double.isFinite(v) ? v : Double.NaN;
        any |= Double.isFinite(v);
      }
      int colour = index++;
      if (!any) continue;
      XYSeries s = chart.addSeries(c.name(), x, y);
      s.setLineColor(Charts.colour(colour));
      s.setMarkerColor(Charts.colour(colour));
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    chart.getStyler().setLegendVisible(!chart.getSeriesCollection().isEmpty());
    return chart;
  }
}
