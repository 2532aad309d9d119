package vaec.cli.pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class ImageGridTest {
  private static final int GAP = ImageGrid.GAP;

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void gridHasOneScaledCellPerImageWithGapsBetween() throws IOException {
    // Five 2x3 images in rows of three: two rows, the second with two images.
    float[][] images = new float[5][6];
    images[0][0] = 1f; // top-left pixel of the first image: white
    images[4][5] = 1f; // bottom-right pixel of the fifth image (row 1, column 1): white
    images[1][1] = 0.5f;
    Path png = dir.resolve("grid.png");

    ImageGrid.write(png, images, 2, 3, 3, 4);

    BufferedImage picture = ImageIO.read(png.toFile());
    int cellWidth = 3 * 4;
    int cellHeight = 2 * 4;
    assertEquals(3 * cellWidth + 2 * GAP, picture.getWidth());
    assertEquals(2 * cellHeight + GAP, picture.getHeight());

    // The white pixel fills a whole 4x4 block and no more.
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        assertEquals(255, gray(picture, x, y));
      }
    }
    assertEquals(0, gray(picture, 4, 0));
    assertEquals(0, gray(picture, 0, 4));

    // Image 1, pixel (row 0, col 1): 0.5 -> 128.
    int secondLeft = cellWidth + GAP;
    assertEquals(128, gray(picture, secondLeft + 4, 0));
    assertEquals(128, gray(picture, secondLeft + 7, 3));

    // Image 4 is at row 1, column 1; its last pixel is the block at the cell's bottom-right.
    int fifthLeft = cellWidth + GAP;
    int fifthTop = cellHeight + GAP;
    assertEquals(255, gray(picture, fifthLeft + cellWidth - 1, fifthTop + cellHeight - 1));
    assertEquals(255, gray(picture, fifthLeft + 2 * 4, fifthTop + 4));
    assertEquals(0, gray(picture, fifthLeft + 2 * 4 - 1, fifthTop + 4));

    // The gap between cells, and the unused last cell, are the gap colour.
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, cellWidth, 0));
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, cellWidth + GAP - 1, cellHeight - 1));
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, 0, cellHeight));
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, picture.getWidth() - 1, picture.getHeight() - 1));
  }

  @Test
  void fewerImagesThanColumnsMakeANarrowerGrid() throws IOException {
    Path png = dir.resolve("two.png");
    ImageGrid.write(png, new float[2][4], 2, 2, 10, 1);
    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(2 * 2 + GAP, picture.getWidth());
    assertEquals(2, picture.getHeight());
  }

  @Test
  void intensitiesOutsideTheUnitIntervalAreClamped() throws IOException {
    Path png = dir.resolve("clamped.png");
    ImageGrid.write(png, new float[][] {{-3f, 7f, Float.NaN, 0.2f}}, 1, 4, 1, 1);
    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(0, gray(picture, 0, 0));
    assertEquals(255, gray(picture, 1, 0));
    assertEquals(0, gray(picture, 2, 0));
    assertEquals(51, gray(picture, 3, 0));
  }

  @Test
  void pairsPutEachReconstructionRightOfItsOriginal() throws IOException {
    // Three 2x2 pairs, two per row. Originals are white, reconstructions are gray 0.4 (102).
    float[][] originals = {fill(4, 1f), fill(4, 1f), fill(4, 1f)};
    float[][] reconstructions = {fill(4, 0.4f), fill(4, 0.4f), fill(4, 0.4f)};
    Path png = dir.resolve("pairs.png");

    ImageGrid.writePairs(png, originals, reconstructions, 2, 2, 2, 3);

    BufferedImage picture = ImageIO.read(png.toFile());
    int cell = 2 * 3;
    int pairWidth = 2 * cell + GAP;
    int betweenPairs = GAP + ImageGrid.SEPARATOR + GAP;
    assertEquals(2 * pairWidth + betweenPairs, picture.getWidth());
    assertEquals(2 * cell + GAP, picture.getHeight());

    // First pair: original at the left, a gap, then the reconstruction.
    assertEquals(255, gray(picture, 0, 0));
    assertEquals(255, gray(picture, cell - 1, cell - 1));
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, cell, 0));
    assertEquals(102, gray(picture, cell + GAP, 0));
    assertEquals(102, gray(picture, pairWidth - 1, cell - 1));

    // The separator line runs down the whole picture between the pairs, a gap from each.
    int lineLeft = pairWidth + GAP;
    for (int y = 0; y < picture.getHeight(); y++) {
      assertEquals(ImageGrid.SEPARATOR_RGB, rgb(picture, lineLeft, y));
      assertEquals(ImageGrid.SEPARATOR_RGB, rgb(picture, lineLeft + ImageGrid.SEPARATOR - 1, y));
    }
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, pairWidth, 0));
    assertEquals(ImageGrid.GAP_RGB, rgb(picture, lineLeft + ImageGrid.SEPARATOR, 0));

    // Second pair on the first row, third pair on the second row.
    int secondLeft = pairWidth + betweenPairs;
    assertEquals(255, gray(picture, secondLeft, 0));
    assertEquals(102, gray(picture, secondLeft + cell + GAP, 0));
    assertEquals(255, gray(picture, 0, cell + GAP));
    assertEquals(102, gray(picture, cell + GAP, cell + GAP));
  }

  @Test
  void pairsNeedAsManyReconstructionsAsOriginals() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ImageGrid.writePairs(
                dir.resolve("x.png"), new float[2][4], new float[1][4], 2, 2, 2, 1));
  }

  @Test
  void imagesOfTheWrongSizeAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageGrid.write(dir.resolve("x.png"), new float[][] {new float[5]}, 2, 2, 1, 1));
    assertTrue(e.getMessage().contains("images[0]"), e.getMessage());
  }

  @Test
  void aMissingDirectoryIsAUserErrorNamingThePath() {
    Path png = dir.resolve("no such directory").resolve("grid.png");
    UserError e =
        assertThrows(UserError.class, () -> ImageGrid.write(png, new float[1][4], 2, 2, 1, 1));
    assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
  }

  private static float[] fill(int size, float value) {
    float[] image = new float[size];
    Arrays.fill(image, value);
    return image;
  }

  private static int rgb(BufferedImage picture, int x, int y) {
    return picture.getRGB(x, y) & 0xFFFFFF;
  }

  /** The gray level of a pixel, after checking that it is gray. */
  @Test
  void rowsOfStepsAreLaidOutOneRowEach() throws IOException {
    // Two interpolation rows of three steps, 1x2 images: step j of row r has intensity (3r + j) / 5.
    float[][][] rows = new float[2][3][];
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 3; j++) rows[r][j] = new float[] {(3 * r + j) / 5f, (3 * r + j) / 5f};
    }
    Path png = dir.resolve("interpolation.png");
    ImageGrid.writeRows(png, rows, 1, 2, 1);

    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(3 * 2 + 2 * GAP, picture.getWidth());
    assertEquals(2 * 1 + GAP, picture.getHeight());
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(ImageGrid.grayLevel((3 * r + j) / 5f), gray(picture, j * (2 + GAP), r * (1 + GAP)), "row " + r + " step " + j);
      }
    }
  }

  @Test
  void rowsOfDifferentLengthsAreRejected() {
    float[][][] ragged = {{new float[1], new float[1]}, {new float[1]}};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageGrid.writeRows(dir.resolve("r.png"), ragged, 1, 1, 1));
    assertTrue(e.getMessage().contains("row 1 has 1 images, expected 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.writeRows(dir.resolve("e.png"), new float[0][][], 1, 1, 1));
  }

  private static int gray(BufferedImage picture, int x, int y) {
    int rgb = rgb(picture, x, y);
    int blue = rgb & 0xFF;
    assertEquals((blue << 16) | (blue << 8) | blue, rgb, "pixel (" + x + ", " + y + ") is gray");
    return blue;
  }
}
