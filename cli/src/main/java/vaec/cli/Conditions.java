package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vaec.runtime.UserError;
import vaec.runtime.data.ClassIndices;
import vaec.runtime.data.DataChecks;
import vaec.runtime.data.DataFiles;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.CompiledModel;

/**
 * The values of the conditioning inputs for sampling from a conditional model, laid out as a
 * grid: each grid row has one value of the inputs and {@code perRow} samples. A one-hot input
 * left free gives one grid row per class; {@code --condition y=3} fixes it to class 3, and
 * {@code --condition y=FILE} takes its values from a data file (one row, or one row per grid row).
 * At most one input may vary over the grid rows.
 */
final class Conditions {
  private Conditions() {}

  /** {@code values}: for every conditioning input, one row per sample; {@code rowLabels}: what each grid row is conditioned on. */
  record Grid(Map<String, float[][]> values, int rows, int perRow, List<String> rowLabels) {
    int samples() { return rows * perRow; }
  }

  /** Parses {@code --condition NAME=VALUE} flags into a map, refusing malformed ones. */
  static Map<String, String> parse(List<String> flags) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : flags) {
      int eq = f.indexOf('=');
      if (eq <= 0 || eq == f.length() - 1) {
        throw new UserError("--condition " + f + ": write NAME=VALUE, e.g. --condition y=3 (a class) or --condition y=values.npy");
      }
      String name = f.substring(0, eq).strip();
      if (out.put(name, f.substring(eq + 1).strip()) != null) throw new UserError("--condition " + name + " is given twice");
    }
    return out;
  }

  /**
   * The grid for the inputs {@code needed} (those the prior-sampling graph reads), fixed where
   * {@code fixed} says. {@code perRow} samples per grid row when one input varies, else
   * {@code unconditioned} samples in one group.
   */
  static Grid build(CompiledModel m, List<String> needed, Map<String, String> fixed, int perRow, int unconditioned) {
    for (String name : fixed.keySet()) {
      if (!needed.contains(name)) {
        throw new UserError("--condition " + name + ": " + (m.data().stream().anyMatch(d -> d.name().equals(name))
            ? "sampling from the prior does not read '" + name + "'" : "the model has no data variable '" + name + "'")
            + (needed.isEmpty() ? "; this model samples without conditions" : "; the inputs sampling reads: " + String.join(", ", needed)));
      }
    }
    Map<String, float[][]> given = new LinkedHashMap<>();
    Map<String, List<String>> labels = new LinkedHashMap<>();
    for (String name : needed) {
      DataInput d = m.input(name);
      String v = fixed.get(name);
      if (v == null) {
        if (!d.singleOneHot()) {
          throw new UserError("sampling " + m.file() + " needs a value of the conditioning input '" + name + "' (declared " + d.type()
              + "): pass --condition " + name + "=FILE.npy, a data file with one row, or one row per grid row");
        }
        float[][] rows = new float[d.width()][d.width()];
        List<String> l = new ArrayList<>();
        for (int k = 0; k < d.width(); k++) {
          rows[k][k] = 1f;
          l.add(name + " = " + k);
        }
        given.put(name, rows);
        labels.put(name, l);
      } else if (v.matches("-?[0-9]+")) {
        if (!d.singleOneHot()) {
          throw new UserError("--condition " + name + "=" + v + ": a class index applies to a one-hot input, but '" + name + "' is declared "
              + d.type() + "; give its values as --condition " + name + "=FILE.npy");
        }
        long k = Long.parseLong(v.length() > 12 ? "-1" : v);
        if (k < 0 || k >= d.width()) {
          throw new UserError("--condition " + name + "=" + v + ": '" + name + "' is " + d.type() + ", so its class is 0 to " + (d.width() - 1));
        }
        float[][] rows = new float[1][d.width()];
        rows[0][(int) k] = 1f;
        given.put(name, rows);
        labels.put(name, List.of(name + " = " + k));
      } else {
        Path p = Path.of(v);
        if (!Files.exists(p)) {
          throw new UserError("--condition " + name + "=" + v + ": no such file; give a class index (for a one-hot input) or a data file");
        }
        Dataset table = DataFiles.read(p);
        if (d.singleOneHot() && table.width() == 1 && d.width() > 1) table = ClassIndices.toOneHot(table, d.width(), table.origin(), d.declaration());
        DataChecks.check(table, d.width(), d.domain(), d.groupSize(), d.declaration());
        float[][] rows = new float[table.rows()][d.width()];
        List<String> l = new ArrayList<>();
        for (int r = 0; r < table.rows(); r++) {
          table.copyRow(r, rows[r], 0);
          l.add(name + " = row " + (r + 1) + " of " + v);
        }
        given.put(name, rows);
        labels.put(name, l);
      }
    }
    String varying = null;
    int gridRows = 1;
    for (var e : given.entrySet()) {
      int n = e.getValue().length;
      if (n == 1) continue;
      if (varying != null) {
        throw new UserError("both '" + varying + "' and '" + e.getKey() + "' would vary over the rows of the sample grid; fix all but one,"
            + " e.g. --condition " + e.getKey() + (m.input(e.getKey()).singleOneHot() ? "=0" : "=FILE.npy with one row"));
      }
      varying = e.getKey();
      gridRows = n;
    }
    int per = varying == null ? unconditioned : perRow;
    Map<String, float[][]> values = new LinkedHashMap<>();
    for (var e : given.entrySet()) {
      float[][] src = e.getValue();
      float[][] rows = new float[gridRows * per][];
      for (int r = 0; r < gridRows; r++) for (int j = 0; j < per; j++) rows[r * per + j] = src[src.length == 1 ? 0 : r];
      values.put(e.getKey(), rows);
    }
    List<String> rowLabels = new ArrayList<>();
    for (int r = 0; r < gridRows; r++) {
      List<String> parts = new ArrayList<>();
      for (var e : labels.entrySet()) parts.add(e.getValue().get(e.getValue().size() == 1 ? 0 : r));
      rowLabels.add(String.join(", ", parts));
    }
    return new Grid(values, gridRows, per, rowLabels);
  }
}
