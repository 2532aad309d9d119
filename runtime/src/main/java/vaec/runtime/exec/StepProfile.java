package vaec.runtime.exec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vaec.runtime.graph.Node;
import vaec.runtime.kernels.Gemm;

/**
 * Where a training step's time goes, when {@code VAEC_PROFILE=1} is set: wall time per phase
 * (data, noise, forward and backward by op kind, optimizer) and, inside the ops, the time spent
 * in gemm ({@link Gemm#profiledNanos}); the rest of an op's time is its element-wise work.
 * Off (the default), nothing is timed and a step runs exactly as without it.
 */
public final class StepProfile {
  /** Whether the environment asks for a profile (VAEC_PROFILE set to anything but 0 or empty). */
  public static final boolean ENABLED = enabledBy(System.getenv("VAEC_PROFILE"));

  static boolean enabledBy(String v) { return v != null && !v.isBlank() && !v.trim().equals("0"); }

  /** Checks a VAEC_PROFILE setting: unset, blank, 0 (off) or 1 (on); anything else is a user error naming the value. */
  public static void checkSetting(String setting) {
    if (setting == null || setting.isBlank() || setting.trim().equals("0") || setting.trim().equals("1")) return;
    throw new vaec.runtime.UserError("VAEC_PROFILE is '" + setting + "': expected 1 (print where a training step's time goes) or 0 or unset (no profile)");
  }

  private final Executor ex;
  private final long[] fwd;
  private final long[] bwd;
  private final long[] gemmFwd;
  private final long[] gemmBwd;
  private long data;
  private long noise;
  private long optimizer;
  private long other;
  private long steps;
  private long wall;
  /** CPU time of the whole process (every thread) within the steps, and where the current step's began; -1 when unknown. */
  private long cpu;
  private long cpuAtStart = -1;
  /** The control variates' companion graph's op times (REBAR, RELAX), created on first use. */
  private StepProfile companion;

  public StepProfile(Executor ex) {
    this.ex = ex;
    int n = ex.graph().nodes().size();
    fwd = new long[n];
    bwd = new long[n];
    gemmFwd = new long[n];
    gemmBwd = new long[n];
    Gemm.profile(true);
  }

  long[] forwardNanos() { return fwd; }
  long[] backwardNanos() { return bwd; }
  long[] forwardGemmNanos() { return gemmFwd; }
  long[] backwardGemmNanos() { return gemmBwd; }

  public void addData(long nanos) { data += nanos; }
  public void addNoise(long nanos) { noise += nanos; }
  public void addOptimizer(long nanos) { optimizer += nanos; }
  /** Loss read-out, finiteness checks, progress reporting: the loop's own work. */
  public void addOther(long nanos) { other += nanos; }
  /** Marks the start of a step, for the process's CPU time within it ({@link #addStep}). */
  public void beginStep() { cpuAtStart = processCpuNanos(); }

  public void addStep(long wallNanos) {
    steps++;
    wall += wallNanos;
    if (cpuAtStart >= 0) {
      long now = processCpuNanos();
      if (now >= 0) cpu += now - cpuAtStart;
      cpuAtStart = -1;
    }
  }

  /**
   * CPU milliseconds per step, all threads of the process together (both cores' work, and the JIT's
   * and the collector's while a step runs): on a machine shared with other work, a steadier measure
   * of a step's cost than its wall time. NaN when the platform does not report it.
   */
  public double cpuMsPerStep() { return steps == 0 || cpu == 0 ? Double.NaN : cpu / 1e6 / steps; }

  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * The profile of a second graph run within the same steps (the control variates' companion
   * graph, on executor {@code cv}): its op times count in this profile's categories, and its op
   * kinds are listed apart, marked "control variates:".
   */
  public StepProfile companion(Executor cv) {
    if (companion == null || companion.ex != cv) companion = new StepProfile(cv);
    return companion;
  }

  public void forward() { ex.forward(this); }
  public void backward() { ex.backward(this); }

  /** One row of the breakdown: a label, milliseconds per step, and its share of the step. */
  public record Row(String label, double msPerStep, double share) {}

  /** The breakdown by category: gemm, element-wise (forward, backward), optimizer, data, noise, loop overhead. */
  public List<Row> categories() {
    long g = sum(gemmFwd) + sum(gemmBwd);
    long ef = sum(fwd) - sum(gemmFwd);
    long eb = sum(bwd) - sum(gemmBwd);
    if (companion != null) {
      g += sum(companion.gemmFwd) + sum(companion.gemmBwd);
      ef += sum(companion.fwd) - sum(companion.gemmFwd);
      eb += sum(companion.bwd) - sum(companion.gemmBwd);
    }
    long rest = wall - (g + ef + eb + optimizer + data + noise);
    Map<String, Long> m = new LinkedHashMap<>();
    m.put(vaec.runtime.kernels.KernelPath.direct() ? "gemm (cblas_sgemm, forward and backward)" : "gemm (ND4J gemm and mmul, forward and backward)", g);
    m.put("element-wise, forward", ef);
    m.put("element-wise, backward (incl. gradient adds and zeroing)", eb);
    m.put("optimizer (Adam)", optimizer);
    m.put("data (batch gather, binarization)", data);
    m.put("noise", noise);
    m.put("overhead (loss read-out, checks, progress, untimed)", rest);
    return rows(m);
  }

  /** Time by op kind (its describe()), forward and backward together, the largest first. */
  public List<Row> byOp() {
    Map<String, Long> m = new LinkedHashMap<>();
    opTimes(m, "");
    if (companion != null) companion.opTimes(m, "control variates: ");
    List<Row> out = rows(m);
    out.sort((a, b) -> Double.compare(b.msPerStep(), a.msPerStep()));
    return out;
  }

  private void opTimes(Map<String, Long> m, String prefix) {
    for (Node node : ex.graph().nodes()) {
      int i = node.id();
      if (fwd[i] + bwd[i] == 0) continue;
      String key = node.op().describe();
      int at = key.indexOf('[');
      m.merge(prefix + (at > 0 && !key.startsWith("dense") ? key.substring(0, at) : key), fwd[i] + bwd[i], Long::sum);
    }
  }

  private List<Row> rows(Map<String, Long> m) {
    List<Row> out = new ArrayList<>();
    for (var e : m.entrySet()) {
      out.add(new Row(e.getKey(), steps == 0 ? 0 : e.getValue() / 1e6 / steps, wall == 0 ? 0 : (double) e.getValue() / wall));
    }
    return out;
  }

  public long steps() { return steps; }
  public double msPerStep() { return steps == 0 ? 0 : wall / 1e6 / steps; }

  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "profile (VAEC_PROFILE): %d steps, %.2f ms per step%n", steps, msPerStep());
    if (!Double.isNaN(cpuMsPerStep())) out.printf(Locale.ROOT, "  process CPU time: %.2f ms per step (all threads)%n", cpuMsPerStep());
    out.printf(Locale.ROOT, "  %-58s %9s %7s%n", "category", "ms/step", "share");
    for (Row r : categories()) out.printf(Locale.ROOT, "  %-58s %9.3f %6.1f%%%n", r.label(), r.msPerStep(), 100 * r.share());
    out.printf(Locale.ROOT, "  %-58s %9s %7s%n", "op kind (forward + backward, gemm included)", "ms/step", "share");
    for (Row r : byOp()) out.printf(Locale.ROOT, "  %-58s %9.3f %6.1f%%%n", r.label(), r.msPerStep(), 100 * r.share());
  }

  /** One line on where memory stands: resident size, its peak, the Java heap in use, ND4J's native buffers. */
  public static void memory(PrintStream out, String when) {
    Runtime rt = Runtime.getRuntime();
    out.printf(Locale.ROOT, "memory (%s): resident %.0f MiB (peak %.0f), heap used %.0f of %.0f MiB committed, ND4J buffers %.0f MiB%n",
        when, status("VmRSS:"), status("VmHWM:"), (rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.totalMemory() / 1048576.0,
        org.bytedeco.javacpp.Pointer.totalBytes() / 1048576.0);
  }

  /** A size line of /proc/self/status in MiB, NaN where there is none (not Linux). */
  private static double status(String key) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    } catch (java.io.IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  private static long sum(long[] a) {
    long s = 0;
    for (long x : a) s += x;
    return s;
  }
}
