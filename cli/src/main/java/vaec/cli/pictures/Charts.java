package vaec.cli.pictures;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

/** What the XChart pictures share: a plain white style, the palette, and saving as PNG. */
final class Charts {
  private Charts() {}

  // The "Tableau 10" palette: ten colours that stay distinct from one another, also in print.
  private static final Color[] PALETTE = {
    new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
    new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
    new Color(0xBCBD22), new Color(0x17BECF),
  };

  /** The colour of the series at {@code index}; the palette repeats after ten. */
  static Color colour(int index) {
    return PALETTE[Math.floorMod(index, PALETTE.length)];
  }

  /** An XY chart on white, with tick labels in the root locale (a decimal point, whatever the user's locale). */
  static XYChart xyChart(int width, int height, String title, String xTitle, String yTitle) {
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    XYStyler s = chart.getStyler();
    s.setLocale(Locale.ROOT);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(Color.GRAY);
    s.setChartTitleBoxVisible(false);
    s.setLegendBorderColor(new Color(0xB0B0B0));
    s.setLegendPosition(Styler.LegendPosition.InsideNE);
    s.setSeriesColors(PALETTE);
    s.setAntiAlias(true);
    return chart;
  }

  /** Draws the chart and saves it; file-system failures are {@link vaec.runtime.UserError}s naming the path. */
  static void write(XYChart chart, Path png) {
    PngFile.write(BitmapEncoder.getBufferedImage(chart), png);
  }
}
