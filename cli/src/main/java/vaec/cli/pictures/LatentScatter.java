package vaec.cli.pictures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A scatter plot of points in latent space, such as the test set's guide means, coloured by each
 * point's label, as a {@value #WIDTH}x{@value #HEIGHT} PNG drawn with XChart.
 *
 * <p>Two-dimensional points are drawn as they are (axes named by the columns, "z[0]" and "z[1]"
 * unless given). Wider points are
 * projected onto their first two principal components, computed on the centred points (axes
 * "PC1" and "PC2" with the share of the variance each explains). One-dimensional points are drawn
 * along x at height equal to their label (or 0 without labels).
 *
 * <p>With labels, each distinct label is its own series in the legend, in increasing order,
 * coloured from a ten-colour palette; past ten labels the marker shape changes too. Without
 * labels (null) all points share one colour and there is no legend. Points with a NaN or infinite
 * coordinate are left out, of the projection too; with none left the picture has empty axes.
 */
public final class LatentScatter {
  public static final int WIDTH = 700;
  public static final int HEIGHT = 600;

  private static final Marker[] SHAPES = {
    SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS,
  };

  private LatentScatter() {}

  /**
   * Writes the scatter of {@code points} (n rows of d >= 1 values) with {@code labels} (n
   * labels, or null) to {@code png}.
   */
  public static void write(Path png, String title, float[][] points, int[] labels) {
    write(png, title, points, labels, null);
  }

  /**
   * As {@link #write(Path, String, float[][], int[])}, with the points' columns named
   * {@code columns} (one name per coordinate, such as "z1[0]"; null for z[0], z[1], ...): the
   * axes of one- and two-dimensional points carry these names.
   */
  public static void write(Path png, String title, float[][] points, int[] labels, List<String> columns) {
    Charts.write(chart(title, points, labels, columns), png);
  }

  /** The points as drawn: x and y per kept point, the axis titles, and the kept points' indices. */
  record Plane(double[] x, double[] y, String xTitle, String yTitle, int[] kept) {}

  /** The 2-D coordinates and axis titles for these points. */
  static Plane plane(float[][] points, int[] labels) {
    return plane(points, labels, null);
  }

  /** The 2-D coordinates and axis titles for these points, whose columns are named {@code columns} (null: z[0], z[1], ...). */
  static Plane plane(float[][] points, int[] labels, List<String> columns) {
    int d = checkedWidth(points, labels);
    if (columns != null && points.length > 0 && columns.size() != d) {
      throw new IllegalArgumentException(columns.size() + " column names for points of " + d + " coordinates");
    }
    String first = columns == null || columns.isEmpty() ? "z[0]" : columns.get(0);
    String second = columns == null || columns.size() < 2 ? "z[1]" : columns.get(1);
    int[] kept = finiteRows(points);
    int n = kept.length;
    double[] x = new double[n];
    double[] y = new double[n];
    if (d == 1) {
      for (int i = 0; i < n; i++) {
        x[i] = points[kept[i]][0];
        y[i] = labels == null ? 0 : labels[kept[i]];
      }
      return new Plane(x, y, first, labels == null ? "" : "label", kept);
    }
    if (d == 2) {
      for (int i = 0; i < n; i++) {
        x[i] = points[kept[i]][0];
        y[i] = points[kept[i]][1];
      }
      return new Plane(x, y, first, second, kept);
    }
    if (n == 0) return new Plane(x, y, "PC1", "PC2", kept);
    double[][] rows = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) rows[i][j] = points[kept[i]][j];
    }
    Pca pca = Pca.fit(rows, 2);
    for (int i = 0; i < n; i++) {
      double[] p = pca.project(rows[i]);
      x[i] = p[0];
      y[i] = p[1];
    }
    return new Plane(x, y, componentTitle(pca, 0), componentTitle(pca, 1), kept);
  }

  /** The chart before drawing: one scatter series per label (or one for all points). */
  static XYChart chart(String title, float[][] points, int[] labels) {
    return chart(title, points, labels, null);
  }

  static XYChart chart(String title, float[][] points, int[] labels, List<String> columns) {
    Plane plane = plane(points, labels, columns);
    XYChart chart = Charts.xyChart(WIDTH, HEIGHT, title, plane.xTitle(), plane.yTitle());
    Styler s = chart.getStyler();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    s.setMarkerSize(5);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    Map<Integer, List<Integer>> byLabel = new TreeMap<>();
    for (int i = 0; i < plane.kept().length; i++) {
      int label = labels == null ? 0 : labels[plane.kept()[i]];
      byLabel.computeIfAbsent(label, l -> new ArrayList<>()).add(i);
    }
    int index = 0;
    for (Map.Entry<Integer, List<Integer>> e : byLabel.entrySet()) {
      List<Integer> members = e.getValue();
      double[] x = new double[members.size()];
      double[] y = new double[members.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = plane.x()[members.get(i)];
        y[i] = plane.y()[members.get(i)];
      }
      XYSeries series = chart.addSeries(labels == null ? "points" : Integer.toString(e.getKey()), x, y);
      series.setMarkerColor(Charts.colour(index));
      series.setMarker(SHAPES[(index / 10) % SHAPES.length]);
      index++;
    }
    s.setLegendVisible(labels != null && !byLabel.isEmpty());
    return chart;
  }

  private static String componentTitle(Pca pca, int c) {
    String name = "PC" + (c + 1);
    if (!(pca.totalVariance > 0)) return name;
    return String.format(Locale.ROOT, "%s (%.0f%% of variance)", name, 100 * pca.variances[c] / pca.totalVariance);
  }

  /** The points' dimension, after checking that they and the labels agree. */
  private static int checkedWidth(float[][] points, int[] labels) {
    if (labels != null && labels.length != points.length) {
      throw new IllegalArgumentException(points.length + " points but " + labels.length + " labels");
    }
    if (points.length == 0) return 2;
    int d = points[0].length;
    if (d < 1) throw new IllegalArgumentException("points have no coordinates");
    for (int i = 0; i < points.length; i++) {
      if (points[i].length != d) {
        throw new IllegalArgumentException("point " + i + " has " + points[i].length + " coordinates, expected " + d);
      }
    }
    return d;
  }

  private static int[] finiteRows(float[][] points) {
    List<Integer> kept = new ArrayList<>();
    outer:
    for (int i = 0; i < points.length; i++) {
      for (float v : points[i]) {
        if (!Float.isFinite(v)) continue outer;
      }
      kept.add(i);
    }
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }
}
