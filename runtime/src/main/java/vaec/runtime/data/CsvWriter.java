package vaec.runtime.data;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a numeric table as comma-separated text: a header line of column names, then one line
 * per row, such as each test example's latent mean followed by its label. Float values are
 * written in the shortest form that reads back as the same float ({@link Float#toString}); NaN
 * and infinities as {@code nan}, {@code inf} and {@code -inf}, which NumPy, pandas and
 * {@link CsvReader} all read. Lines end with a newline alone.
 */
public final class CsvWriter {
  private CsvWriter() {}

  /** Writes {@code rows}, each with one value per name in {@code columns}. */
  public static void write(Path path, List<String> columns, float[][] rows) {
    write(path, columns, rows, null, null);
  }

  /**
   * Writes {@code rows} with one more integer column, named {@code labelColumn}, holding
   * {@code labels[i]} on row i; {@code labels} may be null for no such column.
   */
  public static void write(Path path, List<String> columns, float[][] rows, String labelColumn, int[] labels) {
    for (String c : columns) checkName(c);
    if (labels != null) {
      checkName(labelColumn);
      if (labels.length != rows.length) {
        throw new IllegalArgumentException(rows.length + " rows but " + labels.length + " labels");
      }
    }
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != columns.size()) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, expected " + columns.size() + " (" + columns + ")");
      }
    }
    try (Writer out = new OutputStreamWriter(DataFileOutput.create(path), StandardCharsets.UTF_8)) {
      StringBuilder line = new StringBuilder(String.join(",", columns));
      if (labels != null) line.append(columns.isEmpty() ? "" : ",").append(labelColumn);
      out.write(line.append('\n').toString());
      for (int i = 0; i < rows.length; i++) {
        line.setLength(0);
        for (int j = 0; j < rows[i].length; j++) {
          if (j > 0) line.append(',');
          line.append(text(rows[i][j]));
        }
        if (labels != null) line.append(rows[i].length > 0 ? "," : "").append(labels[i]);
        out.write(line.append('\n').toString());
      }
    } catch (IOException e) {
      throw DataFileOutput.writeFailure(path, e);
    }
  }

  static String text(float v) {
    if (Float.isNaN(v)) return "nan";
    if (Float.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    return Float.toString(v);
  }

  /** Column names are ours (z0, label), so one that needs quoting is a programming error. */
  private static void checkName(String name) {
    if (name == null || name.isEmpty() || name.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r')) {
      throw new IllegalArgumentException("column name " + (name == null ? "null" : "\"" + name + "\"")
          + " is empty or would need quoting in CSV");
    }
  }
}
