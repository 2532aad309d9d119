package vaec.cli.pictures;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pictures of grayscale images laid out in a grid: samples from a model, or test images beside
 * their reconstructions.
 *
 * <p>Each image is a row-major array of {@code height * width} intensities in [0, 1], drawn white
 * on black like MNIST (0 is black, 1 is white); values outside [0, 1] are clamped and NaN is drawn
 * black. Every image pixel becomes a {@code scale x scale} block (nearest neighbour), so small
 * images stay sharp. Images are separated by {@link #GAP} pixels of {@link #GAP_RGB}; there is no
 * border around the whole grid, so the first image starts at the top-left corner.
 */
public final class ImageGrid {
  /** Pixels between neighbouring images, across and down. */
  public static final int GAP = 2;
  /** Colour of the gaps: dark gray, so that black image backgrounds do not run together. */
  public static final int GAP_RGB = 0x404040;
  /** Width of the line that separates one original-reconstruction pair from the next. */
  public static final int SEPARATOR = 2;
  /** Colour of that line: amber, unlike any grayscale image pixel. */
  public static final int SEPARATOR_RGB = 0xE6A01E;

  private ImageGrid() {}

  /**
   * Writes the images in rows of {@code columns} (fewer when there are fewer images), the last
   * row left-aligned and its empty cells filled with the gap colour.
   */
  public static void write(
      Path png, float[][] images, int height, int width, int columns, int scale) {
    checkLayout(images, height, width, scale, "images");
    if (columns < 1) {
      throw new IllegalArgumentException("columns must be positive, got " + columns);
    }
    int cols = Math.min(columns, images.length);
    int rows = ceilDiv(images.length, cols);
    int cellWidth = width * scale;
    int cellHeight = height * scale;
    BufferedImage picture =
        filled(cols * cellWidth + (cols - 1) * GAP, rows * cellHeight + (rows - 1) * GAP, GAP_RGB);
    for (int i = 0; i < images.length; i++) {
      int left = (i % cols) * (cellWidth + GAP);
      int top = (i / cols) * (cellHeight + GAP);
      drawImage(picture, images[i], height, width, scale, left, top);
    }
    PngFile.write(picture, png);
  }

  /**
   * Writes {@code rows.length} rows of images, row r holding {@code rows[r]} from left to right,
   * such as interpolations in latent space: one row per pair of endpoints, one column per step.
   * Every row must have the same number of images; the layout is that of {@link #write} with
   * that many columns.
   */
  public static void writeRows(Path png, float[][][] rows, int height, int width, int scale) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("no rows to draw");
    }
    int columns = rows[0].length;
    List<float[]> images = new ArrayList<>();
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != columns) {
        throw new IllegalArgumentException(
            "row " + r + " has " + rows[r].length + " images, expected " + columns + " like row 0");
      }
      images.addAll(Arrays.asList(rows[r]));
    }
    write(png, images.toArray(new float[0][]), height, width, Math.max(1, columns), scale);
  }

  /**
   * Writes each original with its reconstruction immediately to its right ({@link #GAP} pixels
   * apart), {@code pairsPerRow} pairs to a row. Neighbouring pairs are set apart by a
   * {@link #SEPARATOR}-pixel line of {@link #SEPARATOR_RGB} with a gap on either side, so the
   * eye groups the images by pair.
   */
  public static void writePairs(
      Path png,
      float[][] originals,
      float[][] reconstructions,
      int height,
      int width,
      int pairsPerRow,
      int scale) {
    checkLayout(originals, height, width, scale, "originals");
    checkLayout(reconstructions, height, width, scale, "reconstructions");
    if (originals.length != reconstructions.length) {
      throw new IllegalArgumentException(
          originals.length + " originals but " + reconstructions.length + " reconstructions");
    }
    if (pairsPerRow < 1) {
      throw new IllegalArgumentException("pairsPerRow must be positive, got " + pairsPerRow);
    }
    int cols = Math.min(pairsPerRow, originals.length);
    int rows = ceilDiv(originals.length, cols);
    int cellWidth = width * scale;
    int cellHeight = height * scale;
    int pairWidth = 2 * cellWidth + GAP;
    int betweenPairs = GAP + SEPARATOR + GAP;
    BufferedImage picture =
        filled(
            cols * pairWidth + (cols - 1) * betweenPairs,
            rows * cellHeight + (rows - 1) * GAP,
            GAP_RGB);
    for (int col = 1; col < cols; col++) {
      int lineLeft = col * (pairWidth + betweenPairs) - SEPARATOR - GAP;
      fillRect(picture, lineLeft, 0, SEPARATOR, picture.getHeight(), SEPARATOR_RGB);
    }
    for (int i = 0; i < originals.length; i++) {
      int left = (i % cols) * (pairWidth + betweenPairs);
      int top = (i / cols) * (cellHeight + GAP);
      drawImage(picture, originals[i], height, width, scale, left, top);
      drawImage(picture, reconstructions[i], height, width, scale, left + cellWidth + GAP, top);
    }
    PngFile.write(picture, png);
  }

  /** The 8-bit gray level of an intensity: 0 -> 0 (black), 1 -> 255 (white). */
  static int grayLevel(float intensity) {
    if (Float.isNaN(intensity)) {
      return 0;
    }
    float clamped = Math.max(0f, Math.min(1f, intensity));
    return Math.round(clamped * 255f);
  }

  private static void drawImage(
      BufferedImage picture, float[] image, int height, int width, int scale, int left, int top) {
    for (int row = 0; row < height; row++) {
      for (int col = 0; col < width; col++) {
        int gray = grayLevel(image[row * width + col]);
        int rgb = (gray << 16) | (gray << 8) | gray;
        fillRect(picture, left + col * scale, top + row * scale, scale, scale, rgb);
      }
    }
  }

  private static BufferedImage filled(int width, int height, int rgb) {
    BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    fillRect(picture, 0, 0, width, height, rgb);
    return picture;
  }

  private static void fillRect(
      BufferedImage picture, int left, int top, int width, int height, int rgb) {
    for (int y = top; y < top + height; y++) {
      for (int x = left; x < left + width; x++) {
        picture.setRGB(x, y, rgb);
      }
    }
  }

  private static void checkLayout(
      float[][] images, int height, int width, int scale, String what) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + height + "x" + width);
    }
    if (scale < 1) {
      throw new IllegalArgumentException("scale must be positive, got " + scale);
    }
    if (images.length == 0) {
      throw new IllegalArgumentException("no " + what + " to draw");
    }
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != height * width) {
        throw new IllegalArgumentException(
            what + "[" + i + "] has " + images[i].length + " values, expected "
                + height + "x" + width + " = " + height * width);
      }
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
