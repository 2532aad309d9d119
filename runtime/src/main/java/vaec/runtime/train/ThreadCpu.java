package vaec.runtime.train;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * With VAEC_PROFILE=1, the CPU seconds each kind of the JVM's threads used in each epoch (the
 * training thread, the helper, HotSpot's C1 and C2 compiler threads, the collector), read from
 * Linux's /proc/self/task: on two cores a compiler thread busy during an epoch takes its time from
 * the step's two threads. Elsewhere it prints nothing.
 */
final class ThreadCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  private Map<String, Double> last = new TreeMap<>();   // the first print covers everything since the JVM started

  /** Prints the CPU seconds by thread kind since the last call (the first call: since the JVM started). */
  void print(java.io.PrintStream out, String label) {
    Map<String, Double> now = read();
    if (now.isEmpty()) return;
    StringBuilder s = new StringBuilder(label).append(": CPU seconds by thread:");
    for (var e : now.entrySet()) {
      double d = e.getValue() - last.getOrDefault(e.getKey(), 0.0);
      if (d >= 0.005) s.append(String.format(java.util.Locale.ROOT, " %s %.2f,", e.getKey(), d));
    }
    last = now;
    s.setLength(s.length() - 1);
    out.println(s);
  }

  /** CPU seconds so far by thread name (digits at the end dropped: C2 CompilerThread0 and 1 are one kind). */
  private static Map<String, Double> read() {
    Map<String, Double> by = new TreeMap<>();
    if (!Files.isDirectory(TASKS)) return by;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path t : tasks) {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "");
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;   // utime + stime, in clock ticks of 1/100 s
          name = name.equals("java") ? "main" : name.replace("CompilerThre", "compiler");   // Linux keeps 15 characters of a name
          by.merge(name, cpu, Double::sum);
        } catch (java.io.IOException | RuntimeException e) {
          // a thread that ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      by.clear();
    }
    return by;
  }
}
