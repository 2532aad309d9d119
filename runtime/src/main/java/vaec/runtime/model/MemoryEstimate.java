package vaec.runtime.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import vaec.runtime.UserError;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.optim.OptimizerSpec;

/**
 * How much memory a model needs to train, in 32-bit floats: its parameters, their gradients, the
 * optimizer's state (Adam's two moments), and the activations of one batch (every node of the
 * training graphs is a (batch x samples) x width matrix, with a gradient of the same size). Commands check it
 * against what ND4J may allocate before they allocate anything, so that a network too large for
 * the machine is a message, not a native allocation failure.
 */
public record MemoryEstimate(long parameters, String largestNetwork, long largestNetworkParameters, long parameterBytes,
                             long gradientBytes, long optimizerBytes, long activationBytes, int batch, int samples,
                             boolean training) {
  static final long FLOAT = 4;

  /** The flat parameter vector is one Java array, indexed by int. */
  public static final long MAX_PARAMETERS = Integer.MAX_VALUE - 8;

  /** The estimate last checked by {@link #require}, to word an allocation failure later in the run. */
  private static volatile MemoryEstimate lastChecked;

  /** At the batch setting as written (vaec compile, which reads no data). */
  public static MemoryEstimate of(CompiledModel m) {
    return of(m, Integer.MAX_VALUE);
  }

  /**
   * At the batch training runs on {@code trainRows} training examples: the batch setting capped
   * at them ({@link vaec.runtime.model.TrainConfig#batchFor}), as the trainer does; a batch of
   * 2147483647 on 72 examples needs the activations of 72 rows, not of 2147483647.
   */
  public static MemoryEstimate of(CompiledModel m, int trainRows) {
    return of(m.params(), List.of(m.train(), m.controlVariates() == null ? new Graph() : m.controlVariates()),
        m.config().batchFor(trainRows), m.samples(), m.config().optimizer());
  }

  public static MemoryEstimate of(List<ParamInit> params, List<Graph> trainingGraphs, int batch, OptimizerSpec optimizer) {
    return of(params, trainingGraphs, batch, 1, optimizer);
  }

  /** With the objective's {@code samples} per example: the graphs run on batch x samples rows. */
  public static MemoryEstimate of(List<ParamInit> params, List<Graph> trainingGraphs, int batch, int samples, OptimizerSpec optimizer) {
    long n = 0;
    Map<String, Long> byNetwork = new LinkedHashMap<>();
    for (ParamInit p : params) {
      long size = 1;
      for (long d : p.shape()) size = Math.multiplyExact(size, d);
      n += size;
      String owner = p.name().contains(".") ? p.name().substring(0, p.name().indexOf('.')) : p.name();
      byNetwork.merge(owner, size, Long::sum);
    }
    String largest = "";
    long largestSize = 0;
    for (var e : byNetwork.entrySet()) {
      if (e.getValue() > largestSize) {
        largest = e.getKey();
        largestSize = e.getValue();
      }
    }
    // columns times rows per example: samples, or 1 for what runs once per example (Node.rowGroup)
    long widths = 0;
    for (Graph g : trainingGraphs) {
      // stacked branches multiply the rows (Node.rows); what runs once per example has samples / rowGroup
      for (Node node : g.nodes()) {
        if (!node.isParam()) widths += (long) node.width() * Math.max(1, node.rows()) * Math.max(1, samples / node.rowGroup());
      }
    }
    long moments = optimizer.name().equals(OptimizerSpec.ADAM) ? 2 : 0;
    return new MemoryEstimate(n, largest, largestSize, n * FLOAT, n * FLOAT, moments * n * FLOAT,
        2 * widths * batch * FLOAT, batch, samples, true);
  }

  /**
   * What eval, sample and encode need of a trained model: the parameters, with the gradient and
   * optimizer arrays a restored state holds, and the values of one evaluation pass of
   * {@code rowsPerPass} rows through the widest of {@code evaluationGraphs} (forward only, one graph
   * at a time). No training batch: these commands run none, so a batch setting larger than memory
   * allows (capped at the training set when training runs) does not stop them.
   */
  public static MemoryEstimate forEvaluation(CompiledModel m, List<Graph> evaluationGraphs, int rowsPerPass) {
    MemoryEstimate t = of(m.params(), List.of(), 1, 1, m.config().optimizer());
    return new MemoryEstimate(t.parameters, t.largestNetwork, t.largestNetworkParameters, t.parameterBytes, t.gradientBytes,
        t.optimizerBytes, widestRow(evaluationGraphs) * rowsPerPass * FLOAT, rowsPerPass, 1, false);
  }

  /** The values one row (one example) holds in the widest of {@code graphs} (null ones skipped): every node's width, times its stacked rows. */
  public static long widestRow(List<Graph> graphs) {
    long widest = 0;
    for (Graph g : graphs) {
      if (g == null) continue;
      long w = 0;
      for (Node node : g.nodes()) if (!node.isParam()) w += (long) node.width() * Math.max(1, node.rows());
      widest = Math.max(widest, w);
    }
    return widest;
  }

  public long totalBytes() { return parameterBytes + gradientBytes + optimizerBytes + activationBytes; }

  /** One line for {@code vaec compile}. */
  public String describe() {
    return String.format(Locale.ROOT, "%,d parameters; %s needs about %s (%,d bytes: parameters %s, gradients %s%s, activations %s %s)",
        parameters, training ? "training" : "evaluation", shortBytes(totalBytes()), totalBytes(), shortBytes(parameterBytes),
        shortBytes(gradientBytes), optimizerBytes == 0 ? "" : ", Adam's moments " + shortBytes(optimizerBytes),
        training ? "at batch " + batch + (samples > 1 ? " x " + samples + " samples" : "") : "of a pass of " + batch + " rows",
        shortBytes(activationBytes));
  }

  /** What ND4J may still allocate in this process, and which limit says so. */
  public record Available(long bytes, String limit) {}

  /**
   * The tightest of JavaCPP's limit on off-heap memory (org.bytedeco.javacpp.maxBytes, by default
   * the JVM's -Xmx), its limit on the process's physical memory (maxPhysicalBytes), and the
   * machine's free physical memory.
   */
  public static Available available() {
    Available best = new Available(Long.MAX_VALUE, "no limit");
    if (Pointer.maxBytes() > 0) {
      best = tighter(best, new Available(Pointer.maxBytes() - Pointer.totalBytes(),
          "JavaCPP's off-heap limit of " + bytes(Pointer.maxBytes()) + " (-Dorg.bytedeco.javacpp.maxbytes, by default -Xmx)"));
    }
    if (Pointer.maxPhysicalBytes() > 0) {
      best = tighter(best, new Available(Pointer.maxPhysicalBytes() - Pointer.physicalBytes(),
          "JavaCPP's physical memory limit of " + bytes(Pointer.maxPhysicalBytes()) + " (-Dorg.bytedeco.javacpp.maxphysicalbytes)"));
    }
    long free = Pointer.availablePhysicalBytes();
    if (free > 0) best = tighter(best, new Available(free, "the machine's free physical memory"));
    return best;
  }

  private static Available tighter(Available a, Available b) { return b.bytes() < a.bytes() ? b : a; }

  /** Refuses, with a message naming the numbers, a model that cannot fit {@code available}. */
  public void require(Available available) {
    if (totalBytes() > available.bytes()) {
      throw new UserError(String.format(Locale.ROOT, "the model is too large for memory: %s, but %s are available (%s)%s; make the networks smaller%s",
          describe(), bytes(Math.max(0, available.bytes())), available.limit(), largestText(),
          samples > 1 ? String.format(Locale.ROOT, ", or the batch or the objective's samples (batch %d x %d samples = %,d rows a step)",
              batch, samples, (long) batch * samples) : ""));
    }
    if (parameters > MAX_PARAMETERS) {
      throw new UserError(String.format(Locale.ROOT, "the model is too large: %s, but vaec holds at most %,d parameters%s; make the networks smaller",
          describe(), MAX_PARAMETERS, largestText()));
    }
    lastChecked = this;
  }

  public void require() { require(available()); }

  private String largestText() {
    return largestNetwork.isEmpty() ? "" : String.format(Locale.ROOT, "; the largest network, %s, has %,d parameters", largestNetwork,
        largestNetworkParameters);
  }

  /**
   * When {@code e} (or a cause) is ND4J's or JavaCPP's failure to allocate memory, the message to
   * show instead of a trace; else null.
   */
  public static String allocationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String msg = String.valueOf(t.getMessage());
      if (t instanceof OutOfMemoryError || msg.contains("bad_alloc") || msg.contains("Allocation failed") || msg.contains("Cannot allocate")) {
        MemoryEstimate m = lastChecked;
        Available a = available();
        return "out of memory while running the model" + (m == null ? "" : ": " + m.describe() + m.largestText())
            + String.format(Locale.ROOT, "; %s are available now (%s). Use smaller networks or a smaller batch, or raise -Xmx "
                + "(through VAEC_JAVA_OPTS)", bytes(Math.max(0, a.bytes())), a.limit());
      }
    }
    return null;
  }

  /** Bytes with their exact count: {@code 1.5 KiB (1,536 bytes)}. */
  public static String bytes(long b) {
    return b < 1024 ? b + " bytes" : shortBytes(b) + String.format(Locale.ROOT, " (%,d bytes)", b);
  }

  /** Bytes in a binary unit: {@code 1.5 KiB}. */
  public static String shortBytes(long b) {
    if (b < 1024) return b + " bytes";
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
