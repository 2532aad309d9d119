package vaec.cli.pictures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A line plot of one or more series, such as training and test loss per epoch, saved as an
 * {@value #WIDTH}x{@value #HEIGHT} PNG with a white background, labelled axes with about six nice
 * ticks each, and a legend.
 *
 * <p>Points whose x or y is NaN or infinite are left out and break the line there; every
 * remaining point also gets a small dot, so a lone point (a one-epoch run) is still visible. A
 * single point or a constant series gets an axis widened around its value.
 */
public final class LineChart {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;

  /** One named line: the points (x[i], y[i]). */
  public record Series(String name, double[] x, double[] y) {
    public Series {
      Objects.requireNonNull(name, "name");
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series " + name + " has " + x.length + " x values but " + y.length + " y values");
      }
    }
  }

  /**
   * Where the data are drawn; the margins leave room for the title (top), the tick labels and
   * axis labels (left and bottom).
   */
  static final Rectangle PLOT_AREA = new Rectangle(90, 50, WIDTH - 90 - 30, HEIGHT - 50 - 70);

  private static final int TARGET_TICKS = 6;
  private static final int TICK_LENGTH = 5;
  private static final Color AXIS = Color.BLACK;
  private static final Color GRID = new Color(0xE6E6E6);
  private static final Color TEXT = new Color(0x202020);
  // The "Tableau 10" palette: ten colours that stay distinct from one another, also in print.
  private static final Color[] PALETTE = {
    new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
    new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
    new Color(0xBCBD22), new Color(0x17BECF),
  };

  private LineChart() {}

  public static void write(
      Path png, String title, String xLabel, String yLabel, List<Series> series) {
    BufferedImage picture = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = picture.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);

      AxisScale xAxis = axisFor(series, true);
      AxisScale yAxis = axisFor(series, false);
      drawGridAndTicks(g, xAxis, yAxis);
      drawSeries(g, xAxis, yAxis, series);
      drawFrame(g);
      drawLabels(g, title, xLabel, yLabel);
      drawLegend(g, series);
    } finally {
      g.dispose();
    }
    PngFile.write(picture, png);
  }

  /** The colour of the series at {@code index} in the list. */
  static Color seriesColour(int index) {
    return PALETTE[index % PALETTE.length];
  }

  /** An axis covering the finite values of all series; [0, 1] when there are none. */
  private static AxisScale axisFor(List<Series> series, boolean horizontal) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (isFinite(s, i)) {
          double v = horizontal ? s.x()[i] : s.y()[i];
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    boolean anyPoint = lo <= hi;
    return anyPoint
        ? AxisScale.covering(lo, hi, TARGET_TICKS)
        : AxisScale.covering(0, 1, TARGET_TICKS);
  }

  private static boolean isFinite(Series s, int i) {
    return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]);
  }

  private static double screenX(AxisScale xAxis, double x) {
    return PLOT_AREA.x + xAxis.fraction(x) * PLOT_AREA.width;
  }

  private static double screenY(AxisScale yAxis, double y) {
    // Screen y grows downwards.
    return PLOT_AREA.y + PLOT_AREA.height - yAxis.fraction(y) * PLOT_AREA.height;
  }

  private static void drawGridAndTicks(Graphics2D g, AxisScale xAxis, AxisScale yAxis) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int bottom = PLOT_AREA.y + PLOT_AREA.height;
    int right = PLOT_AREA.x + PLOT_AREA.width;
    g.setStroke(new BasicStroke(1f));
    for (double tick : xAxis.ticks()) {
      double x = screenX(xAxis, tick);
      g.setColor(GRID);
      g.draw(new Line2D.Double(x, PLOT_AREA.y, x, bottom));
      g.setColor(AXIS);
      g.draw(new Line2D.Double(x, bottom, x, bottom + TICK_LENGTH));
      String label = xAxis.label(tick);
      g.setColor(TEXT);
      g.drawString(
          label,
          (float) (x - metrics.stringWidth(label) / 2.0),
          bottom + TICK_LENGTH + 3 + metrics.getAscent());
    }
    for (double tick : yAxis.ticks()) {
      double y = screenY(yAxis, tick);
      g.setColor(GRID);
      g.draw(new Line2D.Double(PLOT_AREA.x, y, right, y));
      g.setColor(AXIS);
      g.draw(new Line2D.Double(PLOT_AREA.x - TICK_LENGTH, y, PLOT_AREA.x, y));
      String label = yAxis.label(tick);
      g.setColor(TEXT);
      g.drawString(
          label,
          (float) (PLOT_AREA.x - TICK_LENGTH - 4 - metrics.stringWidth(label)),
          (float) (y + (metrics.getAscent() - metrics.getDescent()) / 2.0));
    }
  }

  private static void drawSeries(
      Graphics2D g, AxisScale xAxis, AxisScale yAxis, List<Series> series) {
    // Keep wide strokes and dots from spilling onto the tick labels.
    g.setClip(PLOT_AREA.x - 4, PLOT_AREA.y - 4, PLOT_AREA.width + 8, PLOT_AREA.height + 8);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      g.setColor(seriesColour(k));
      Path2D.Double line = new Path2D.Double();
      boolean penDown = false;
      for (int i = 0; i < s.x().length; i++) {
        if (!isFinite(s, i)) {
          penDown = false; // a missing point breaks the line
          continue;
        }
        double x = screenX(xAxis, s.x()[i]);
        double y = screenY(yAxis, s.y()[i]);
        if (penDown) {
          line.lineTo(x, y);
        } else {
          line.moveTo(x, y);
          penDown = true;
        }
        g.fill(new Ellipse2D.Double(x - 3, y - 3, 6, 6));
      }
      g.draw(line);
    }
    g.setClip(null);
  }

  private static void drawFrame(Graphics2D g) {
    g.setColor(AXIS);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(PLOT_AREA.x, PLOT_AREA.y, PLOT_AREA.width, PLOT_AREA.height);
  }

  private static void drawLabels(Graphics2D g, String title, String xLabel, String yLabel) {
    g.setColor(TEXT);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    FontMetrics titleMetrics = g.getFontMetrics();
    g.drawString(title, (WIDTH - titleMetrics.stringWidth(title)) / 2, 30);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    FontMetrics metrics = g.getFontMetrics();
    int centreX = PLOT_AREA.x + PLOT_AREA.width / 2;
    g.drawString(xLabel, centreX - metrics.stringWidth(xLabel) / 2, HEIGHT - 20);

    // The y label reads bottom to top along the left edge.
    int centreY = PLOT_AREA.y + PLOT_AREA.height / 2;
    AffineTransform saved = g.getTransform();
    g.translate(20 + metrics.getAscent(), centreY + metrics.stringWidth(yLabel) / 2.0);
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, 0, 0);
    g.setTransform(saved);
  }

  /** A boxed legend in the top-right corner of the plot area: a line sample and name each. */
  private static void drawLegend(Graphics2D g, List<Series> series) {
    if (series.isEmpty()) {
      return;
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics metrics = g.getFontMetrics();
    int sample = 24;
    int padding = 8;
    int rowHeight = metrics.getHeight() + 2;
    int textWidth = 0;
    for (Series s : series) {
      textWidth = Math.max(textWidth, metrics.stringWidth(s.name()));
    }
    int boxWidth = padding + sample + 6 + textWidth + padding;
    int boxHeight = padding + series.size() * rowHeight - 2 + padding;
    int left = PLOT_AREA.x + PLOT_AREA.width - boxWidth - 10;
    int top = PLOT_AREA.y + 10;

    g.setColor(Color.WHITE);
    g.fillRect(left, top, boxWidth, boxHeight);
    g.setColor(new Color(0xB0B0B0));
    g.setStroke(new BasicStroke(1f));
    g.drawRect(left, top, boxWidth, boxHeight);

    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int k = 0; k < series.size(); k++) {
      int rowTop = top + padding + k * rowHeight;
      double midY = rowTop + metrics.getHeight() / 2.0;
      g.setColor(seriesColour(k));
      g.draw(new Line2D.Double(left + padding, midY, left + padding + sample, midY));
      g.setColor(TEXT);
      g.drawString(series.get(k).name(), left + padding + sample + 6, rowTop + metrics.getAscent());
    }
  }
}
