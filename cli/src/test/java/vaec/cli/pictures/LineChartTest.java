package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.cli.pictures.LineChart.Series;
import vaec.runtime.UserError;

class LineChartTest {
  private static final int WHITE = 0xFFFFFF;

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void drawsEachSeriesInItsOwnColourInsideThePlotArea() throws IOException {
    double[] epochs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    Series training =
        new Series("training", epochs, new double[] {285, 256, 251, 248, 246, 245, 244, 243.6,
          243.0, 242.6});
    Series test =
        new Series("test", epochs, new double[] {262, 253, 250, 248, 247, 246, 245.5, 245.1,
          244.9, 244.7});
    Path png = dir.resolve("loss.png");

    LineChart.write(png, "Loss per epoch", "epoch", "negative ELBO", List.of(training, test));

    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(LineChart.WIDTH, picture.getWidth());
    assertEquals(LineChart.HEIGHT, picture.getHeight());
    assertEquals(WHITE, rgb(picture, 0, 0));
    assertEquals(WHITE, rgb(picture, LineChart.WIDTH - 1, LineChart.HEIGHT - 1));
    Rectangle inner = shrunk(LineChart.PLOT_AREA, 2);
    assertTrue(countColour(picture, inner, LineChart.seriesColour(0).getRGB()) > 100);
    assertTrue(countColour(picture, inner, LineChart.seriesColour(1).getRGB()) > 100);
    // No series colour leaks into the margins, apart from the legend which is inside the plot.
    assertEquals(0, countColourOutside(picture, LineChart.PLOT_AREA, LineChart.seriesColour(0)
        .getRGB()));
  }

  @Test
  void theFirstAndLastPointsSitAtTheirPlaceOnTheAxes() throws IOException {
    // x from 0 to 10 and y from 0 to 100 are already nice, so the axes end exactly there:
    // (0, 0) is the bottom-left corner of the plot area and (10, 100) the top-right one.
    Series diagonal = new Series("diagonal", new double[] {0, 10}, new double[] {0, 100});
    Path png = dir.resolve("diagonal.png");

    LineChart.write(png, "t", "x", "y", List.of(diagonal));

    BufferedImage picture = ImageIO.read(png.toFile());
    Rectangle plot = LineChart.PLOT_AREA;
    int colour = LineChart.seriesColour(0).getRGB() & 0xFFFFFF;
    int midX = plot.x + plot.width / 2;
    int midY = plot.y + plot.height / 2;
    assertTrue(
        countColour(picture, new Rectangle(midX - 3, midY - 3, 7, 7), colour) > 0,
        "the line passes through the middle of the plot area");
    assertTrue(
        countColour(picture, new Rectangle(plot.x + 1, plot.y + plot.height - 3, 3, 3), colour)
            > 0,
        "the first point is at the bottom-left corner");
  }

  @Test
  void aSinglePointAndAConstantSeriesAreDrawn() throws IOException {
    Series single = new Series("one epoch", new double[] {1}, new double[] {250});
    Series constant = new Series("flat", new double[] {1, 1}, new double[] {250, 250});
    Path png = dir.resolve("single.png");

    LineChart.write(png, "t", "epoch", "loss", List.of(single, constant));

    BufferedImage picture = ImageIO.read(png.toFile());
    Rectangle plot = LineChart.PLOT_AREA;
    // The point is in the middle of both widened axes; the second series' dot hides the first.
    int midX = plot.x + plot.width / 2;
    int midY = plot.y + plot.height / 2;
    assertEquals(LineChart.seriesColour(1).getRGB() & 0xFFFFFF, rgb(picture, midX, midY));
  }

  @Test
  void nanPointsAreSkipped() throws IOException {
    Series gappy =
        new Series(
            "gappy",
            new double[] {1, 2, 3, 4, Double.NaN},
            new double[] {10, Double.NaN, 30, Double.POSITIVE_INFINITY, 50});
    Series allNaN = new Series("nothing", new double[] {Double.NaN}, new double[] {Double.NaN});
    Path png = dir.resolve("nan.png");

    LineChart.write(png, "t", "x", "y", List.of(gappy, allNaN));

    BufferedImage picture = ImageIO.read(png.toFile());
    assertTrue(
        countColour(picture, shrunk(LineChart.PLOT_AREA, 2), LineChart.seriesColour(0).getRGB())
            > 10);
  }

  @Test
  void noSeriesAtAllGivesEmptyAxes() throws IOException {
    Path png = dir.resolve("empty.png");
    LineChart.write(png, "nothing yet", "x", "y", List.of());
    assertEquals(LineChart.WIDTH, ImageIO.read(png.toFile()).getWidth());
  }

  @Test
  void seriesNeedAsManyXAsYValues() {
    assertThrows(
        IllegalArgumentException.class, () -> new Series("s", new double[2], new double[3]));
  }

  @Test
  void anUnwritablePathIsAUserErrorNamingThePath() {
    Path png = dir.resolve("missing").resolve("loss.png");
    UserError e =
        assertThrows(UserError.class, () -> LineChart.write(png, "t", "x", "y", List.of()));
    assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
  }

  private static int rgb(BufferedImage picture, int x, int y) {
    return picture.getRGB(x, y) & 0xFFFFFF;
  }

  private static Rectangle shrunk(Rectangle r, int by) {
    return new Rectangle(r.x + by, r.y + by, r.width - 2 * by, r.height - 2 * by);
  }

  private static int countColour(BufferedImage picture, Rectangle area, int colour) {
    int count = 0;
    for (int y = area.y; y < area.y + area.height; y++) {
      for (int x = area.x; x < area.x + area.width; x++) {
        if (rgb(picture, x, y) == (colour & 0xFFFFFF)) {
          count++;
        }
      }
    }
    return count;
  }

  private static int countColourOutside(BufferedImage picture, Rectangle area, int colour) {
    Rectangle whole = new Rectangle(0, 0, picture.getWidth(), picture.getHeight());
    Rectangle grown = new Rectangle(area.x - 5, area.y - 5, area.width + 10, area.height + 10);
    return countColour(picture, whole, colour) - countColour(picture, grown, colour);
  }
}
