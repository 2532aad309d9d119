package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vaec.cli.pictures.ImageGrid;
import vaec.cli.pictures.LineChart;
import vaec.runtime.UserError;
import vaec.runtime.data.Dataset;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/** The files a run leaves in its output folder besides the checkpoint: pictures and metrics. */
final class RunOutputs {
  private RunOutputs() {}

  static Path checkpoint(Path dir) { return dir.resolve("checkpoint.vaeckpt"); }

  /** Height and width to show rows of this width as images: the data's own, or a square. */
  static int[] imageShape(Dataset d) {
    if (d.isImage()) return new int[] {d.imageHeight(), d.imageWidth()};
    int s = (int) Math.round(Math.sqrt(d.width()));
    return s * s == d.width() ? new int[] {s, s} : null;
  }

  static List<Path> pictures(Path dir, ModelState state, Evaluator ev, Dataset test) {
    List<Path> written = new ArrayList<>();
    int[] shape = imageShape(test);
    if (shape != null) {
      Path samples = dir.resolve("samples.png");
      ImageGrid.write(samples, ev.samplePrior(64, 0), shape[0], shape[1], 8, 2);
      written.add(samples);
      int n = Math.min(32, test.rows());
      float[][] originals = new float[n][];
      for (int i = 0; i < n; i++) {
        originals[i] = new float[test.width()];
        test.copyRow(i, originals[i], 0);
      }
      Path recon = dir.resolve("reconstructions.png");
      ImageGrid.writePairs(recon, originals, ev.reconstruct(test, n), shape[0], shape[1], 4, 2);
      written.add(recon);
    }
    Map<String, List<Double>> curves = state.curves();
    List<Double> train = curves.getOrDefault("train_loss", List.of());
    List<Double> testCurve = curves.getOrDefault("test_loss", List.of());
    if (!train.isEmpty()) {
      Path loss = dir.resolve("loss.png");
      LineChart.write(loss, "Negative ELBO per example", "epoch", "nats", List.of(
          new LineChart.Series("train", epochs(train.size()), toArray(train)),
          new LineChart.Series("test", epochs(testCurve.size()), toArray(testCurve))));
      written.add(loss);
    }
    return written;
  }

  static double[] epochs(int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = i + 1;
    return x;
  }

  static double[] toArray(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
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

  static void writeMetrics(Path file, Map<String, Object> metrics) {
    StringBuilder b = new StringBuilder("{\n");
    int i = 0;
    for (var e : metrics.entrySet()) {
      b.append("  \"").append(e.getKey()).append("\": ").append(json(e.getValue())).append(++i < metrics.size() ? ",\n" : "\n");
    }
    b.append("}\n");
    try {
      if (file.getParent() != null) Files.createDirectories(file.getParent());
      Files.writeString(file, b.toString());
    } catch (IOException e) {
      throw new UserError("cannot write metrics to " + file + ": " + e.getMessage());
    }
  }

  private static String json(Object v) {
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object o : l) parts.add(json(o));
      return "[" + String.join(", ", parts) + "]";
    }
    if (v instanceof Double d) return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6f", d) : "null";
    if (v instanceof Number n) return n.toString();
    return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
