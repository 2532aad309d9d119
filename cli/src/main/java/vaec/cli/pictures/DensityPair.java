package vaec.cli.pictures;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Two 2-D densities side by side on the same square of the plane: a target (left) and a fit (right),
 * each given as log-density values on an n x n grid (row 0 at the top, the largest z2), each panel
 * coloured by its density relative to its own largest value (linear scale, dark to bright), with a
 * title above it. Grid cells whose value is NaN are drawn grey.
 */
public final class DensityPair {
  /** Pixels per grid cell. */
  private static final int CELL = 2;
  private static final int TITLE = 26;
  private static final int GAP = 10;

  private DensityPair() {}

  /**
   * @param logLeft the target's log-density on the grid, [row][column] with row 0 at the top
   * @param logRight the fit's log-density on the same grid
   */
  public static void write(Path png, String leftTitle, double[][] logLeft, String rightTitle, double[][] logRight) {
    int n = logLeft.length;
    int panel = n * CELL;
    BufferedImage img = new BufferedImage(2 * panel + 3 * GAP, panel + TITLE + GAP, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    panel(img, logLeft, GAP, TITLE);
    panel(img, logRight, 2 * GAP + panel, TITLE);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(leftTitle, GAP, TITLE - 8);
    g.drawString(rightTitle, 2 * GAP + panel, TITLE - 8);
    g.dispose();
    PngFile.write(img, png);
  }

  private static void panel(BufferedImage img, double[][] logD, int x0, int y0) {
    double max = Double.NEGATIVE_INFINITY;
    for (double[] row : logD) for (double v : row) if (!Double.isNaN(v)) max = Math.max(max, v);
    for (int r = 0; r < logD.length; r++) {
      for (int c = 0; c < logD[r].length; c++) {
        double v = logD[r][c];
        int rgb = Double.isNaN(v) ? 0x808080 : colour(Math.exp(v - max));
        for (int dy = 0; dy < CELL; dy++) for (int dx = 0; dx < CELL; dx++) img.setRGB(x0 + c * CELL + dx, y0 + r * CELL + dy, rgb);
      }
    }
  }

  /** t in [0, 1] to a dark-blue, purple, orange, pale-yellow ramp. */
  static int colour(double t) {
    double[][] stops = {{0.02, 0.02, 0.10}, {0.35, 0.10, 0.50}, {0.85, 0.30, 0.30}, {0.99, 0.70, 0.20}, {1.00, 1.00, 0.75}};
    double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    int i = Math.min(stops.length - 2, (int) x);
    double f = x - i;
    int rgb = 0;
    for (int ch = 0; ch < 3; ch++) {
      double v = stops[i][ch] + f * (stops[i + 1][ch] - stops[i][ch]);
      rgb = (rgb << 8) | (int) Math.round(255 * v);
    }
    return rgb;
  }
}
