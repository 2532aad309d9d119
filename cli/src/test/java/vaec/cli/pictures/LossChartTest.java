package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import vaec.cli.pictures.LossChart.Curve;
import vaec.runtime.UserError;

class LossChartTest {
  @TempDir Path dir;

  @Test
  void testsRunHeadlessAsTheLauncherDoes() {
    assertTrue(GraphicsEnvironment.isHeadless(), "cli/pom.xml sets java.awt.headless for the tests");
  }

  @Test
  void writesAPngOfTheChartSizeWithBothCurvesInTheirColours() throws IOException {
    Curve train = new Curve("train", new double[] {285, 256, 251, 248, 246, 245, 244, 243.6, 243.0, 242.6});
    Curve test = new Curve("test", new double[] {262, 253, 250, 248, 247, 246, 245.5, 245.1, 244.9, 244.7});
    Path png = dir.resolve("loss.png");

    LossChart.write(png, "Negative ELBO per example", "nats", List.of(train, test));

    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(LossChart.WIDTH, picture.getWidth());
    assertEquals(LossChart.HEIGHT, picture.getHeight());
    assertEquals(0xFFFFFF, picture.getRGB(0, 0) & 0xFFFFFF, "white background");
    assertTrue(count(picture, Charts.colour(0).getRGB()) > 100, "the training curve is drawn");
    assertTrue(count(picture, Charts.colour(1).getRGB()) > 100, "the test curve is drawn");
    assertEquals(0, count(picture, Charts.colour(2).getRGB()), "and no third colour");
  }

  @Test
  void epochsStartAtOneOnALinearAxisAndTheAxesAreTitled() {
    XYChart chart = LossChart.chart("t", "nats", List.of(new Curve("train", new double[] {3, 2, 1})));
    XYSeries s = chart.getSeries("train");
    assertEquals(List.of(1.0, 2.0, 3.0), Arrays.stream(s.getXData()).boxed().toList());
    assertEquals("epoch", chart.getXAxisTitle());
    assertEquals("nats", chart.getYAxisTitle());
    assertFalse(chart.getStyler().isYAxisLogarithmic());
  }

  @Test
  void nanAndInfiniteLossesAreGapsAndAllMissingCurvesAreLeftOut() throws IOException {
    Curve gappy = new Curve("train", new double[] {10, Double.NaN, 30, Double.POSITIVE_INFINITY, 50, Double.NEGATIVE_INFINITY});
    Curve nothing = new Curve("test", new double[] {Double.NaN, Double.POSITIVE_INFINITY});
    XYChart chart = LossChart.chart("t", "nats", List.of(gappy, nothing));
    assertEquals(List.of("train"), names(chart));
    double[] y = chart.getSeries("train").getYData();
    assertEquals(10, y[0]);
    assertTrue(Double.isNaN(y[1]) && Double.isNaN(y[3]) && Double.isNaN(y[5]), Arrays.toString(y));

    Path png = dir.resolve("nan.png");
    LossChart.write(png, "t", "nats", List.of(gappy, nothing));
    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(LossChart.WIDTH, picture.getWidth());
    assertTrue(count(picture, Charts.colour(0).getRGB()) > 10, "the finite points are drawn");
  }

  @Test
  void aOneEpochRunAndNoCurvesAtAllStillGiveAPicture() throws IOException {
    Path single = dir.resolve("single.png");
    LossChart.write(single, "t", "nats", List.of(Curve.of("train", List.of(250.0)), Curve.of("test", List.of())));
    BufferedImage picture = ImageIO.read(single.toFile());
    assertEquals(LossChart.HEIGHT, picture.getHeight());
    assertTrue(count(picture, Charts.colour(0).getRGB()) > 10, "the lone point has a dot");

    Path empty = dir.resolve("empty.png");
    LossChart.write(empty, "nothing yet", "nats", List.of());
    assertEquals(LossChart.WIDTH, ImageIO.read(empty.toFile()).getWidth());
  }

  @Test
  void aNullEntryInACheckpointCurveIsAGap() {
    Curve c = Curve.of("test", Arrays.asList(1.0, null, 3.0));
    assertTrue(Double.isNaN(c.perEpoch()[1]));
  }

  @Test
  void anUnwritablePathIsAUserErrorNamingThePath() {
    Path png = dir.resolve("missing").resolve("loss.png");
    UserError e = assertThrows(UserError.class, () -> LossChart.write(png, "t", "nats", List.of()));
    assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
  }

  /** The chart's series names in the order they were added. */
  static List<String> names(XYChart chart) {
    return chart.getSeriesCollection().stream().map(XYSeries::getName).toList();
  }

  static int count(BufferedImage picture, int rgb) {
    int n = 0;
    for (int y = 0; y < picture.getHeight(); y++) {
      for (int x = 0; x < picture.getWidth(); x++) {
        if ((picture.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) n++;
      }
    }
    return n;
  }
}
