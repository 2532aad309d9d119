package vaec.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import vaec.cli.pictures.ImageGrid;
import vaec.cli.pictures.LossChart;
import vaec.runtime.UserError;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/** The files a run leaves in its output folder besides the checkpoint: pictures and metrics. */
final class RunOutputs {
  private RunOutputs() {}

  static Path checkpoint(Path dir) { return dir.resolve("checkpoint.vaeckpt"); }

  /**
   * The sample grid (conditioned, for a conditional model: one row per class of a one-hot
   * conditioning input, else the first test rows' conditions) and test reconstructions of the
   * image variable ({@link Pictures}), and the loss curves.
   */
  static List<Path> pictures(Path dir, ModelState state, Evaluator ev, CompiledModel m, BoundData test) {
    List<Path> written = new ArrayList<>();
    Pictures pic = Pictures.choose(m, test);
    if (pic != null) {
      Path samples = dir.resolve("samples.png");
      List<String> needed = ev.priorInputs();
      Conditions.Grid grid = null;
      if (needed.stream().allMatch(n -> m.input(n).singleOneHot())) grid = Conditions.build(m, needed, Map.of(), 8, 64);
      float[][] drawn;
      int columns;
      if (grid != null) {
        drawn = ev.samplePrior(grid.samples(), 0, grid.values()).get(pic.variable());
        columns = grid.rows() > 1 ? grid.perRow() : 8;
      } else {
        // Conditions that have no natural grid (real-valued inputs) are taken from the first test rows.
        int n = Math.min(64, test.rows());
        Map<String, float[][]> cond = new java.util.LinkedHashMap<>();
        for (String name : needed) cond.put(name, rowsOf(test.get(name), n));
        drawn = ev.samplePrior(n, 0, cond).get(pic.variable());
        columns = 8;
      }
      ImageGrid.write(samples, drawn, pic.height(), pic.width(), columns, 2);
      written.add(samples);
      int n = Math.min(32, test.rows());
      float[][] originals = rowsOf(test.get(pic.variable()), n);
      Path recon = dir.resolve("reconstructions.png");
      ImageGrid.writePairs(recon, originals, ev.reconstruct(test, n).get(pic.variable()), pic.height(), pic.width(), 4, 2);
      written.add(recon);
    }
    Map<String, List<Double>> curves = state.curves();
    List<Double> train = curves.getOrDefault("train_loss", List.of());
    List<Double> testCurve = curves.getOrDefault("test_loss", List.of());
    if (!train.isEmpty()) {
      Path loss = dir.resolve("loss.png");
      LossChart.write(loss, "Negative ELBO per example", "nats", List.of(
          LossChart.Curve.of("train", train), LossChart.Curve.of("test", testCurve)));
      written.add(loss);
    }
    return written;
  }

  static float[][] rowsOf(Dataset d, int n) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = new float[d.width()];
      d.copyRow(i, out[i], 0);
    }
    return out;
  }

  /** Peak resident memory of this process in MiB (VmHWM: heap, ND4J's native buffers and all). */
  static double peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux: report what the JVM knows.
    }
    return Runtime.getRuntime().totalMemory() / (1024.0 * 1024.0);
  }

  private static final Gson JSON = new GsonBuilder()
      .setPrettyPrinting()
      .serializeNulls()       // a NaN metric keeps its key, with the value null
      .disableHtmlEscaping()  // "<" stays "<": the file is not embedded in HTML
      .create();

  /**
   * Writes the metrics as a JSON object, keys in the map's order. Strings (model names, paths)
   * are escaped as JSON requires and written as UTF-8; lists become arrays, nested maps objects,
   * integers stay integers, and other numbers keep full double precision. NaN and infinite numbers,
   * which JSON cannot express, are written as {@code null}, so the file stays valid JSON.
   */
  static void writeMetrics(Path file, Map<String, Object> metrics) {
    String text = JSON.toJson(json(metrics)) + "\n";
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UserError("cannot write metrics to " + file + ": " + e.getMessage());
    }
  }

  static JsonElement json(Object v) {
    if (v == null) return JsonNull.INSTANCE;
    if (v instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      for (var e : m.entrySet()) o.add(String.valueOf(e.getKey()), json(e.getValue()));
      return o;
    }
    // A Collection, not any Iterable: a Path iterates over its own names and is written as text.
    if (v instanceof Collection<?> l) {
      JsonArray a = new JsonArray();
      for (Object o : l) a.add(json(o));
      return a;
    }
    if (v instanceof double[] d) {
      JsonArray a = new JsonArray();
      for (double x : d) a.add(json(x));
      return a;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? new JsonPrimitive((Number) v) : JsonNull.INSTANCE;
    }
    if (v instanceof Number n) return new JsonPrimitive(n);
    if (v instanceof Boolean b) return new JsonPrimitive(b);
    return new JsonPrimitive(String.valueOf(v));
  }
}
