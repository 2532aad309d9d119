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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import vaec.cli.pictures.ImageGrid;
import vaec.cli.pictures.LatentScatter;
import vaec.cli.pictures.LossChart;
import vaec.runtime.UserError;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.Dataset;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.stdlib.metrics.CodeUsage;

/** The files a run leaves in its output folder besides the checkpoint: pictures and metrics. */
final class RunOutputs {
  private RunOutputs() {}

  static Path checkpoint(Path dir) { return dir.resolve("checkpoint.vaeckpt"); }

  /** Test examples whose guide means latents.png shows, at most. */
  static final int SCATTER_POINTS = 5000;
  /** Rows of interpolation.png: pairs of test examples (0, 1), (2, 3), ... */
  static final int INTERPOLATION_ROWS = 8;
  /** Decoded points per row of interpolation.png, both codes included. */
  static final int INTERPOLATION_STEPS = 10;

  /**
   * The sample grid (conditioned, for a conditional model: one row per class of a one-hot
   * conditioning input, else the first test rows' conditions) and test reconstructions of the
   * image variable ({@link Pictures}), the scatter of the test set's guide means
   * ({@link #latents}), the interpolations between test images' codes ({@link #interpolation}),
   * and the loss curves. {@code latentDomains} gives each latent's declared domain. Why a picture
   * could not be drawn is said on standard output.
   */
  static List<Path> pictures(Path dir, ModelState state, Evaluator ev, CompiledModel m, BoundData test,
                             Map<String, ValueDomain> latentDomains) {
    DataInput tokens = vaec.runtime.train.SequenceSampler.tokenVariable(m);
    if (tokens != null) return TokenOutputs.write(dir, state, ev, m, test, tokens);
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
    if (test.rows() > 0) {
      Evaluator.Encoding enc = ev.encode(test.slice(0, Math.min(SCATTER_POINTS, test.rows())));
      written.add(latents(dir.resolve("latents.png"), m, enc, TestLabels.of(m, test)));
      if (pic != null) {
        Path interpolation = dir.resolve("interpolation.png");
        String why = interpolation(interpolation, ev, m, test, enc, latentDomains, pic);
        if (why == null) written.add(interpolation);
        else System.out.println("interpolation.png not written: " + why);
      }
    }
    List<CodeUsage.Counts> usage = new java.util.ArrayList<>();
    if (test.rows() > 0) {
      for (var v : ev.metrics(test, metric -> metric instanceof CodeUsage)) if (v instanceof CodeUsage.Counts c) usage.add(c);
    }
    if (!usage.isEmpty()) {
      Path codes = dir.resolve("codes.png");
      vaec.cli.pictures.CodeUsageChart.write(codes, usage);
      written.add(codes);
    }
    Path loss = lossChart(dir, state);
    if (loss != null) written.add(loss);
    return written;
  }

  /** loss.png: the training and test loss curves, or null before the first epoch. */
  static Path lossChart(Path dir, ModelState state) {
    CompiledModel m = state.model();
    Map<String, List<Double>> curves = state.curves();
    List<Double> train = curves.getOrDefault("train_loss", List.of());
    List<Double> testCurve = curves.getOrDefault("test_loss", List.of());
    if (train.isEmpty()) return null;
    Path loss = dir.resolve("loss.png");
    String meaning = m.terms().get(0).meaning();   // the objective's loss: "negative ELBO", ...
    LossChart.write(loss, Character.toUpperCase(meaning.charAt(0)) + meaning.substring(1) + " per example", "nats", List.of(
        LossChart.Curve.of("train", train), LossChart.Curve.of("test", testCurve)));
    return loss;
  }

  /**
   * Writes the scatter of the encoded test examples' guide means (all latents side by side),
   * coloured by {@code labels} (all of {@code test}'s labels, or null for one colour), and returns
   * {@code png}. Points of more than two coordinates are shown on their first two principal
   * components.
   */
  static Path latents(Path png, CompiledModel m, Evaluator.Encoding enc, int[] labels) {
    float[][] points = enc.rows();
    int d = enc.columns().size();
    String of = String.join(", ", enc.latents());
    String title = m.name() + ": " + (d > 2 ? "PCA of the guide means of " + of + " (" + d + "-d)" : "guide means of " + of)
        + String.format(Locale.ROOT, ", %,d test examples", points.length);
    int[] shown = labels == null ? null : Arrays.copyOf(labels, points.length);
    LatentScatter.write(png, title, points, shown, enc.columns());
    return png;
  }

  /**
   * Writes interpolation.png: row r walks in a straight line from the guide mean of test example
   * 2r to that of example 2r + 1 ({@value #INTERPOLATION_ROWS} rows at most), decoding
   * {@value #INTERPOLATION_STEPS} equally spaced points, both ends included, between the two test
   * images themselves. Real-valued latents (real, and real in [0, 1], whose straight lines stay in
   * their domain) are interpolated together; binary and one-hot latents, between whose values a
   * straight line has no meaning, are held at the first example's guide mean (as the
   * reconstructions use it), and so are conditioning inputs at the first example's value. Returns
   * null when written, else why not (no latent is real-valued, or fewer than two test examples).
   */
  static String interpolation(Path png, Evaluator ev, CompiledModel m, BoundData test, Evaluator.Encoding enc,
                              Map<String, ValueDomain> latentDomains, Pictures pic) {
    int pairs = Math.min(INTERPOLATION_ROWS, enc.rows().length / 2);
    if (pairs == 0) return "it needs two test examples, and the test set has " + test.rows();
    List<String> held = new ArrayList<>();
    List<String> walked = new ArrayList<>();
    boolean[] real = new boolean[enc.latents().size()];
    for (int i = 0; i < real.length; i++) {
      ValueDomain dom = latentDomains.get(enc.latents().get(i));
      real[i] = dom == ValueDomain.REAL || dom == ValueDomain.UNIT_INTERVAL;
      if (real[i]) walked.add(enc.latents().get(i));
      else held.add(enc.latents().get(i) + " (" + (dom == null ? "discrete" : dom.toString()) + ")");
    }
    if (walked.isEmpty()) {
      return "no latent of " + m.name() + " is real-valued (" + String.join(", ", held)
          + "), and a point on the line between two of their values is no value they can take";
    }
    int steps = INTERPOLATION_STEPS;
    int n = pairs * steps;
    Map<String, float[][]> z = new LinkedHashMap<>();
    int col = 0;
    for (int i = 0; i < real.length; i++) {
      int w = enc.widths().get(i);
      float[][] v = new float[n][w];
      for (int r = 0; r < pairs; r++) {
        float[] a = enc.rows()[2 * r];
        float[] b = enc.rows()[2 * r + 1];
        for (int c = 0; c < steps; c++) {
          double t = (double) c / (steps - 1);
          for (int j = 0; j < w; j++) {
            v[r * steps + c][j] = real[i] ? (float) ((1 - t) * a[col + j] + t * b[col + j]) : a[col + j];
          }
        }
      }
      z.put(enc.latents().get(i), v);
      col += w;
    }
    Map<String, float[][]> conditions = new LinkedHashMap<>();
    for (DataInput c : m.conditioning()) {
      float[][] first = rowsOf(test.get(c.name()), 2 * pairs);
      float[][] v = new float[n][];
      for (int row = 0; row < n; row++) v[row] = first[2 * (row / steps)];
      conditions.put(c.name(), v);
    }
    float[][] decoded = ev.decode(z, conditions).get(pic.variable());
    float[][] images = rowsOf(test.get(pic.variable()), 2 * pairs);
    float[][][] rows = new float[pairs][steps + 2][];
    for (int r = 0; r < pairs; r++) {
      rows[r][0] = images[2 * r];
      System.arraycopy(decoded, r * steps, rows[r], 1, steps);
      rows[r][steps + 1] = images[2 * r + 1];
    }
    ImageGrid.writeRows(png, rows, pic.height(), pic.width(), 2);
    if (!held.isEmpty()) {
      System.out.println("interpolation.png: " + String.join(", ", walked) + " interpolated; " + String.join(", ", held)
          + " held at the guide mean of each row's first image (a line between discrete values has no meaning)");
    }
    return null;
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
  /**
   * Checks, before the work that produces it, that {@code file} can be written: not a folder, and
   * its folder exists or can be made (it is made now).
   */
  static void requireWritableFile(Path file, String flag) {
    if (Files.isDirectory(file)) throw new UserError(flag + " " + file + " is a folder; name a file");
    Path parent = file.toAbsolutePath().getParent();
    try {
      if (parent != null) Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UserError(flag + " " + file + ": cannot create its folder " + parent
          + (e instanceof java.nio.file.FileAlreadyExistsException ? " (a file of that name exists)" : ""));
    }
    if (Files.exists(file) && !Files.isWritable(file)) throw new UserError(flag + " " + file + " cannot be written (permission denied)");
  }

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
