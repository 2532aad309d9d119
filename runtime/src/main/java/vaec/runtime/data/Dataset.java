package vaec.runtime.data;

import java.util.Objects;

/**
 * A table of examples held in memory: {@code rows} examples of {@code width} float values each,
 * row-major in {@code values}. Image datasets are flattened (28x28 becomes 784); {@code imageHeight}
 * and {@code imageWidth} remember the picture shape for sample grids (0 when not images).
 * {@code origin} names where the data came from (a file path or a named dataset) for messages.
 */
public final class Dataset {
  private final String origin;
  private final int rows;
  private final int width;
  private final float[] values;
  private final int imageHeight;
  private final int imageWidth;

  public Dataset(String origin, int rows, int width, float[] values, int imageHeight, int imageWidth) {
    this.origin = Objects.requireNonNull(origin);
    if (values.length != (long) rows * width) {
      throw new IllegalArgumentException("values length " + values.length + " != " + rows + " x " + width);
    }
    this.rows = rows;
    this.width = width;
    this.values = values;
    this.imageHeight = imageHeight;
    this.imageWidth = imageWidth;
  }

  public String origin() { return origin; }
  public int rows() { return rows; }
  public int width() { return width; }
  /** The backing array, row-major; callers must not modify it. */
  public float[] values() { return values; }
  public int imageHeight() { return imageHeight; }
  public int imageWidth() { return imageWidth; }
  public boolean isImage() { return imageHeight > 0 && imageWidth > 0 && imageHeight * imageWidth == width; }

  /** Rows [from, to) as a new dataset sharing nothing with this one. */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + rows);
    }
    float[] part = new float[(to - from) * width];
    System.arraycopy(values, from * width, part, 0, part.length);
    return new Dataset(origin, to - from, width, part, imageHeight, imageWidth);
  }

  /** Columns [from, to) of every row as a new dataset named {@code origin}. */
  public Dataset columns(int from, int to, String origin) {
    if (from < 0 || to > width || from >= to) {
      throw new IndexOutOfBoundsException("columns [" + from + ", " + to + ") of " + width);
    }
    int w = to - from;
    float[] part = new float[rows * w];
    for (int r = 0; r < rows; r++) System.arraycopy(values, r * width + from, part, r * w, w);
    return new Dataset(origin, rows, w, part, 0, 0);
  }

  /** The same rows under another name (for messages), sharing the values. */
  public Dataset renamed(String newOrigin) {
    return new Dataset(newOrigin, rows, width, values, imageHeight, imageWidth);
  }

  /** Copies row {@code r} into {@code dst} at {@code offset}. */
  public void copyRow(int r, float[] dst, int offset) {
    System.arraycopy(values, r * width, dst, offset, width);
  }
}
