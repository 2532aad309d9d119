package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.pictures.LossChartTest.count;
import static vaec.cli.pictures.LossChartTest.names;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import vaec.runtime.UserError;

class LatentScatterTest {
  @TempDir Path dir;

  /** n points in three clusters along the first axis of a d-dimensional space, labelled 0, 1, 2. */
  private static float[][] clusters(int n, int d, int[] labels) {
    Random rng = new Random(9);
    float[][] points = new float[n][d];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (int j = 0; j < d; j++) points[i][j] = (float) (0.3 * rng.nextGaussian());
      points[i][0] += 4 * labels[i];
    }
    return points;
  }

  @Test
  void writesAPngWithOneColourPerLabelAndALegend() throws IOException {
    int[] labels = new int[300];
    float[][] points = clusters(300, 2, labels);
    Path png = dir.resolve("latent.png");

    LatentScatter.write(png, "Test set latent means", points, labels);

    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(LatentScatter.WIDTH, picture.getWidth());
    assertEquals(LatentScatter.HEIGHT, picture.getHeight());
    for (int c = 0; c < 3; c++) assertTrue(count(picture, Charts.colour(c).getRGB()) > 100, "label " + c);
    assertEquals(0, count(picture, Charts.colour(3).getRGB()), "no fourth label");

    XYChart chart = LatentScatter.chart("t", points, labels);
    assertEquals(List.of("0", "1", "2"), names(chart));
    assertEquals(100, chart.getSeries("1").getXData().length);
    assertTrue(chart.getStyler().isLegendVisible());
    assertEquals("z[0]", chart.getXAxisTitle());
    assertEquals("z[1]", chart.getYAxisTitle());
  }

  @Test
  void widerPointsAreProjectedOntoTheirPrincipalComponents() throws IOException {
    int[] labels = new int[300];
    float[][] points = clusters(300, 8, labels);
    LatentScatter.Plane plane = LatentScatter.plane(points, labels);
    assertTrue(plane.xTitle().startsWith("PC1 ("), plane.xTitle());
    assertTrue(plane.xTitle().endsWith("% of variance)"), plane.xTitle());
    assertTrue(plane.yTitle().startsWith("PC2"), plane.yTitle());
    // The clusters lie along z[0], the main direction: PC1 orders them (its sign makes z[0] grow).
    double[] mean = new double[3];
    for (int i = 0; i < 300; i++) mean[labels[i]] += plane.x()[i] / 100;
    assertTrue(mean[0] < mean[1] - 3 && mean[1] < mean[2] - 3, java.util.Arrays.toString(mean));
    assertEquals(0, mean[1], 0.3, "centred");

    Path png = dir.resolve("pca.png");
    LatentScatter.write(png, "t", points, labels);
    assertEquals(LatentScatter.WIDTH, ImageIO.read(png.toFile()).getWidth());
  }

  @Test
  void withoutLabelsThePointsShareOneColourAndThereIsNoLegend() throws IOException {
    int[] ignored = new int[200];
    float[][] points = clusters(200, 3, ignored);
    XYChart chart = LatentScatter.chart("t", points, null);
    assertEquals(1, chart.getSeriesCollection().size());
    assertFalse(chart.getStyler().isLegendVisible());

    Path png = dir.resolve("plain.png");
    LatentScatter.write(png, "t", points, null);
    BufferedImage picture = ImageIO.read(png.toFile());
    assertTrue(count(picture, Charts.colour(0).getRGB()) > 100);
    assertEquals(0, count(picture, Charts.colour(1).getRGB()));
  }

  @Test
  void theAxesOfNarrowPointsCarryTheColumnNamesGiven() {
    float[][] two = {{1, 2}, {3, 4}};
    LatentScatter.Plane plane = LatentScatter.plane(two, null, List.of("z1[0]", "z2[0]"));
    assertEquals("z1[0]", plane.xTitle());
    assertEquals("z2[0]", plane.yTitle());
    assertEquals("h[0]", LatentScatter.plane(new float[][] {{1}}, new int[] {2}, List.of("h[0]")).xTitle());
    // Wider points keep their principal-component axes; names of the wrong count are a mistake.
    assertTrue(LatentScatter.plane(new float[][] {{1, 2, 3}, {3, 1, 2}, {0, 0, 1}}, null, List.of("a", "b", "c")).xTitle().startsWith("PC1"));
    assertThrows(IllegalArgumentException.class, () -> LatentScatter.plane(two, null, List.of("a")));
  }

  @Test
  void oneDimensionalPointsAreDrawnAgainstTheirLabel() {
    float[][] points = {{0.5f}, {-1f}, {2f}};
    int[] labels = {4, 7, 4};
    LatentScatter.Plane plane = LatentScatter.plane(points, labels);
    assertEquals("z[0]", plane.xTitle());
    assertEquals("label", plane.yTitle());
    assertEquals(7, plane.y()[1]);
    LatentScatter.write(dir.resolve("one.png"), "t", points, labels);
  }

  @Test
  void nonFinitePointsAreLeftOutAndNoneLeftGivesEmptyAxes() throws IOException {
    float[][] points = {{1, 2, 3}, {Float.NaN, 0, 0}, {4, 5, Float.POSITIVE_INFINITY}, {0, 1, 1}, {2, 2, 2}};
    int[] labels = {0, 1, 1, 2, 2};
    LatentScatter.Plane plane = LatentScatter.plane(points, labels);
    assertEquals(3, plane.x().length);
    assertTrue(java.util.Arrays.stream(plane.x()).allMatch(Double::isFinite));
    assertEquals(List.of("0", "2"), names(LatentScatter.chart("t", points, labels)));

    Path png = dir.resolve("none.png");
    LatentScatter.write(png, "t", new float[][] {{Float.NaN, 1, 2}}, new int[] {3});
    assertEquals(LatentScatter.HEIGHT, ImageIO.read(png.toFile()).getHeight());
    LatentScatter.write(dir.resolve("empty.png"), "t", new float[0][], null);
  }

  @Test
  void manyLabelsCycleColoursAndChangeShape() {
    float[][] points = new float[24][2];
    int[] labels = new int[24];
    for (int i = 0; i < 24; i++) {
      points[i] = new float[] {i, i % 5};
      labels[i] = i / 2; // twelve labels
    }
    XYChart chart = LatentScatter.chart("t", points, labels);
    assertEquals(12, chart.getSeriesCollection().size());
    assertEquals(chart.getSeries("0").getMarkerColor(), chart.getSeries("10").getMarkerColor());
    assertFalse(chart.getSeries("0").getMarker().getClass().equals(chart.getSeries("10").getMarker().getClass()));
  }

  @Test
  void mismatchedInputsAreRejectedAndAnUnwritablePathIsAUserError() {
    assertThrows(IllegalArgumentException.class, () -> LatentScatter.plane(new float[2][2], new int[3]));
    assertThrows(IllegalArgumentException.class, () -> LatentScatter.plane(new float[][] {{1, 2}, {3}}, null));
    assertThrows(IllegalArgumentException.class, () -> LatentScatter.plane(new float[2][0], null));
    Path png = dir.resolve("missing").resolve("latent.png");
    UserError e = assertThrows(UserError.class, () -> LatentScatter.write(png, "t", new float[2][2], null));
    assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
  }
}
