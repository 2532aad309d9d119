package vaec.runtime.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vaec.runtime.UserError;

/**
 * Reads numeric comma-separated files: one example per line, one value per cell.
 *
 * <p>The first line is taken as a header (column names) when any of its cells is not a number;
 * column names such as "pixel0" are never numbers, while a data row always is. Blank lines are
 * skipped, since editors and scripts often leave them at the end. Every row must have as many
 * cells as the first line. Cells may be padded with spaces. "nan" and "inf" are read as such so
 * that {@link DataChecks} can report where they are; anything else that is not a decimal number
 * is an error naming the line and the cell.
 */
public final class CsvReader {
  private CsvReader() {}

  /** Decimal numbers only: Float.parseFloat alone would also accept "1f", "0x1p3" and "1d". */
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern NOT_A_NUMBER = Pattern.compile("(?i)[+-]?nan");
  private static final Pattern INFINITE = Pattern.compile("(?i)([+-]?)inf(?:inity)?");

  /** Reads the CSV file at {@code path}; messages name the path and 1-based line numbers. */
  public static Dataset read(Path path) {
    String origin = path.toString();
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(DataFileInput.open(path), StandardCharsets.UTF_8), 1 << 16)) {
      return parse(lines, origin);
    } catch (IOException e) {
      throw DataFileInput.readFailure(origin, e);
    }
  }

  private static Dataset parse(BufferedReader lines, String origin) throws IOException {
    float[] values = new float[1 << 12];
    int size = 0;
    int rows = 0;
    int width = -1;
    boolean headerLine = false;
    int lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1); // byte order mark written by some spreadsheet programs
      }
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (width < 0) {
        width = cells.length;
        if (!allNumbers(cells)) {
          headerLine = true;
          continue;
        }
      } else if (cells.length != width) {
        throw new UserError(origin + ":" + lineNumber + ": this row has " + cells.length
            + " values but " + (headerLine ? "the header has " + width + " columns" : "the first row has " + width));
      }
      if ((long) size + width > values.length) {
        values = Arrays.copyOf(values, grow(values.length, (long) size + width, origin));
      }
      for (int c = 0; c < width; c++) {
        values[size++] = parseCell(cells[c], origin, lineNumber, c);
      }
      rows++;
    }
    if (width < 0) {
      throw new UserError(origin + " is empty; expected comma-separated numbers, one example per line");
    }
    return new Dataset(origin, rows, width, Arrays.copyOf(values, size), 0, 0);
  }

  /** A new capacity of at least {@code needed}, doubling to keep appends cheap. */
  private static int grow(int current, long needed, String origin) {
    long limit = Integer.MAX_VALUE - 8;
    if (needed > limit) {
      throw new UserError(origin + " is too large to hold in memory (more than " + limit + " values)");
    }
    return (int) Math.min(Math.max((long) current * 2, needed), limit);
  }

  private static boolean allNumbers(String[] cells) {
    for (String cell : cells) {
      if (parseNumber(cell.strip()) == null) {
        return false;
      }
    }
    return true;
  }

  private static float parseCell(String cell, String origin, int lineNumber, int column) {
    Float v = parseNumber(cell.strip());
    if (v == null) {
      throw new UserError(origin + ":" + lineNumber + ": column " + (column + 1) + " holds \""
          + cell + "\", which is not a number");
    }
    return v;
  }

  /** The value of {@code text}, or null when it is not a number. */
  private static Float parseNumber(String text) {
    if (DECIMAL.matcher(text).matches()) {
      return Float.parseFloat(text);
    }
    if (NOT_A_NUMBER.matcher(text).matches()) {
      return Float.NaN;
    }
    Matcher inf = INFINITE.matcher(text);
    if (inf.matches()) {
      return inf.group(1).equals("-") ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
    }
    return null;
  }
}
