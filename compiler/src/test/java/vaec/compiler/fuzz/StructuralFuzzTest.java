package vaec.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.CompileError;
import vaec.compiler.Compiler;
import vaec.compiler.Diagnostic;
import vaec.compiler.SourceFile;
import vaec.compiler.ir.Variable;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.rng.NoiseSource;
import vaec.runtime.train.TrainingPass;

/**
 * The structural fuzz test of issue 7: a few hundred random models from {@link ModelGenerator}.
 *
 * <p>For every seed, {@link Compiler#compile} either returns or throws {@link CompileError} whose
 * every diagnostic has a line and column inside the file and a message. Any other exception fails.
 * A model that is valid by construction must compile (unless the refusal is one of the documented
 * limits in {@link #ALLOWED_REFUSALS}); a deliberately wrong one must be diagnosed, at one of the
 * lines the generator recorded for its fault. Every compiled model's graphs run forward once on a
 * batch of random data of the declared domains (the training graph also backward, with its
 * control-variate graph), and every output, and the training gradient, must be finite.
 *
 * <p>Failures are grouped by cause; the report lists each cause with its seeds and the shortest
 * model that shows it. Reproduce one seed with {@code -Dvaec.fuzz.seed=N -Dvaec.fuzz.models=1};
 * {@code -Dvaec.fuzz.models=3000} runs more.
 */
class StructuralFuzzTest {
  static final int MODELS = Integer.getInteger("vaec.fuzz.models", 300);
  static final long FIRST_SEED = Long.getLong("vaec.fuzz.seed", 1);
  static final int BATCH = 3;
  /** Models whose training graph has more nodes run only the training step (see {@link #runForward}). */
  static final int ALL_GRAPHS_UP_TO_NODES = 400;

  /**
   * Refusals of well-formed models that are documented limits, keyed by a fragment of the
   * diagnostic's message. Each entry says why it is allowed; remove it when the limit goes.
   */
  static final Map<String, String> ALLOWED_REFUSALS = Map.of(
      // README, "Two limits": a REBAR or RELAX latent cannot follow an enumerated one in guide
      // order (the variance objective reads one pass's draws).
      "cannot follow the enumerated latent", "REBAR/RELAX after an enumerated latent");

  record Failure(String cause, ModelGenerator.Generated model, String detail) {}

  @Test
  void generatorIsDeterministicAndMakesBothValidAndWrongModels() {
    assertEquals(ModelGenerator.generate(42).source(), ModelGenerator.generate(42).source());
    assertNotEquals(ModelGenerator.generate(42).source(), ModelGenerator.generate(43).source());
    int valid = 0;
    Map<ModelGenerator.Fault, Integer> faults = new LinkedHashMap<>();
    for (long s = 1; s <= 300; s++) {
      var g = ModelGenerator.generate(s);
      if (g.validByConstruction()) valid++;
      else {
        faults.merge(g.fault(), 1, Integer::sum);
        assertTrue(!g.faultLines().isEmpty(), "seed " + s + " has no fault lines\n" + g.source());
      }
    }
    assertTrue(valid > 150 && valid < 270, "valid models: " + valid);
    assertEquals(ModelGenerator.Fault.values().length, faults.size(), "every fault is generated: " + faults);
  }

  @Test
  void everyModelCompilesOrGetsAPositionedDiagnostic() throws IOException {
    List<Failure> failures = new ArrayList<>();
    forwardNanos = 0;
    diagnosticsSeen.clear();
    int compiled = 0;
    int diagnosed = 0;
    int valid = 0;
    long t0 = System.nanoTime();
    for (long seed = FIRST_SEED; seed < FIRST_SEED + MODELS; seed++) {
      ModelGenerator.Generated g = ModelGenerator.generate(seed);
      if (g.validByConstruction()) valid++;
      Outcome o = check(g);
      if (o.compiled) compiled++;
      if (o.diagnosed) diagnosed++;
      if (o.failure != null) failures.add(o.failure);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    String stats = String.format("%d models (seeds %d..%d; %d valid by construction, %d deliberately wrong): %d compiled and ran,"
            + " %d diagnosed, %d failures, in %.1f s (%.1f s of it running graphs)", MODELS, FIRST_SEED, FIRST_SEED + MODELS - 1, valid,
        MODELS - valid, compiled, diagnosed, failures.size(), seconds, forwardNanos / 1e9);
    StringBuilder seen = new StringBuilder("\nfirst diagnostics of the diagnosed models:\n");
    diagnosticsSeen.forEach((k, v) -> seen.append(String.format("%5d  %s%n", v, k)));
    String report = report(stats, failures) + seen;
    System.out.println(report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "fuzz-report.txt"), report, StandardCharsets.UTF_8);
    if (!failures.isEmpty()) fail(report);
  }

  record Outcome(boolean compiled, boolean diagnosed, Failure failure) {}

  static Outcome check(ModelGenerator.Generated g) {
    SourceFile file = new SourceFile("fuzz" + g.seed() + ".vae", g.source());
    Compiler.Compilation c;
    try {
      c = Compiler.compile(file);
    } catch (CompileError e) {
      diagnosticsSeen.merge((g.validByConstruction() ? "valid, allowed: " : g.fault() + ": ")
          + normalize(e.diagnostics().isEmpty() ? "" : e.diagnostics().get(0).message(), g), 1, Integer::sum);
      return new Outcome(false, true, judgeDiagnostics(g, file, e));
    } catch (Throwable t) {
      return new Outcome(false, false, new Failure("compiler crash: " + signature(t, g), g, trace(t)));
    }
    if (!g.validByConstruction()) {
      return new Outcome(true, false, new Failure("deliberately wrong model accepted: " + g.fault(), g, "compiled without a diagnostic"));
    }
    long t0 = System.nanoTime();
    try {
      String bad = runForward(c, g.seed());
      return new Outcome(true, false, bad == null ? null : new Failure("forward pass: " + normalize(bad, g), g, bad));
    } catch (Throwable t) {
      return new Outcome(true, false, new Failure("forward pass crash: " + signature(t, g), g, trace(t)));
    } finally {
      forwardNanos += System.nanoTime() - t0;
      if (Boolean.getBoolean("vaec.fuzz.timing")) System.out.printf("TIMING seed %d %.3f s %d nodes%n", g.seed(), (System.nanoTime() - t0) / 1e9, c.compiled().train().nodes().size());
    }
  }

  /** Time spent running compiled models' graphs, for the report's timing line. */
  static long forwardNanos;
  /** The first diagnostic of each diagnosed model, names and numbers taken out, with its count. */
  static final Map<String, Integer> diagnosticsSeen = new java.util.TreeMap<>();

  static Failure judgeDiagnostics(ModelGenerator.Generated g, SourceFile file, CompileError e) {
    String[] lines = g.source().split("\n", -1);
    if (e.diagnostics().isEmpty()) return new Failure("CompileError without diagnostics", g, e.getMessage());
    for (Diagnostic d : e.diagnostics()) {
      int line = d.span().line();
      int col = d.span().column();
      boolean inside = line >= 1 && line <= lines.length && col >= 1 && col <= lines[line - 1].length() + 1;
      if (!inside || d.message() == null || d.message().isBlank()) {
        return new Failure("diagnostic without a position inside the file: " + normalize(d.message(), g), g, d.format(file));
      }
    }
    List<Diagnostic> notAllowed = e.diagnostics().stream()
        .filter(d -> ALLOWED_REFUSALS.keySet().stream().noneMatch(k -> d.message().contains(k))).toList();
    if (g.validByConstruction()) {
      if (notAllowed.isEmpty()) return null;
      return new Failure("valid model refused: " + normalize(notAllowed.get(0).message(), g), g, e.getMessage());
    }
    boolean atFault = e.diagnostics().stream().anyMatch(d -> g.faultLines().contains(d.span().line()));
    if (atFault || notAllowed.isEmpty()) return null;
    return new Failure(g.fault() + " diagnosed elsewhere than at the fault: " + normalize(notAllowed.get(0).message(), g), g,
        "expected a diagnostic on one of lines " + g.faultLines() + "\n" + e.getMessage());
  }

  /** Runs every graph once; returns what went wrong, or null. */
  static String runForward(Compiler.Compilation c, long seed) {
    CompiledModel m = c.compiled();
    Random r = new Random(seed);
    ParameterStore store = vaec.compiler.UserReportedModelsTest.initialParameters(m, r);
    Map<String, double[][]> data = new LinkedHashMap<>();
    for (Variable v : c.model().data()) data.put(v.name(), randomData(v, r));
    NoiseSource noise = new NoiseSource(seed);

    TrainingPass train = new TrainingPass(m, BATCH, store);
    String bad = fill(train.main(), data, "train");
    if (bad != null) return bad;
    train.drawNoise(noise, 0);
    train.forward();
    bad = nonFinite(train.main(), "train");
    if (bad != null) return bad;
    train.backward();
    Node g = train.firstNonFiniteGradient();
    if (g != null) return "non-finite gradient at a node of " + (g.origin() == null ? "the graph" : g.origin());

    // Large graphs (nested enumeration) take a second or more each to build and run: for those,
    // the training step above is the check.
    if (m.train().nodes().size() > ALL_GRAPHS_UP_TO_NODES) return null;
    Map<String, Graph> others = new LinkedHashMap<>();
    others.put("evaluate", m.evaluate());
    others.put("log_weight", m.logWeight());
    others.put("prior_sample", m.priorSample());
    others.put("reconstruct", m.reconstruct());
    for (Map.Entry<String, Graph> e : others.entrySet()) {
      Executor ex = new Executor(e.getValue(), BATCH, store);
      bad = fill(ex, data, e.getKey());
      if (bad != null) return bad;
      ex.drawNoise(noise, 1);
      ex.forward();
      bad = nonFinite(ex, e.getKey());
      if (bad != null) return bad;
    }
    return null;
  }

  static double[][] randomData(Variable v, Random r) {
    double[][] x = new double[BATCH][v.width()];
    for (double[] row : x) {
      switch (v.domain()) {
        case REAL -> { for (int j = 0; j < row.length; j++) row[j] = r.nextGaussian(); }
        case UNIT_INTERVAL -> { for (int j = 0; j < row.length; j++) row[j] = r.nextDouble(); }
        case BINARY -> { for (int j = 0; j < row.length; j++) row[j] = r.nextBoolean() ? 1 : 0; }
        case ONE_HOT -> { for (int g0 = 0; g0 < row.length; g0 += v.groupSize()) row[g0 + r.nextInt(v.groupSize())] = 1; }
      }
    }
    return x;
  }

  static String fill(Executor ex, Map<String, double[][]> data, String graph) {
    for (String name : ex.graph().inputs().keySet()) {
      double[][] x = data.get(name);
      if (x == null) return "graph " + graph + " has an input '" + name + "' that is no data variable";
      INDArray in = ex.input(name);
      for (int b = 0; b < BATCH; b++) for (int j = 0; j < x[b].length; j++) in.putScalar(b, j, x[b][j]);
    }
    return null;
  }

  static String nonFinite(Executor ex, String graph) {
    for (Map.Entry<String, Node> o : ex.graph().outputs().entrySet()) {
      for (double v : ex.value(o.getValue()).dup().data().asDouble()) {
        if (!Double.isFinite(v)) return "non-finite output '" + o.getKey() + "' of graph " + graph;
      }
    }
    if (ex.graph().loss() != null) {
      for (double v : ex.value(ex.graph().loss()).dup().data().asDouble()) {
        if (!Double.isFinite(v)) return "non-finite loss of graph " + graph;
      }
    }
    return null;
  }

  /** The exception's class, its message with the model's names taken out, and the vaec frame that threw. */
  static String signature(Throwable t, ModelGenerator.Generated g) {
    String frame = "";
    StackTraceElement[] st = t.getStackTrace();
    for (StackTraceElement e : st) {
      if (e.getClassName().startsWith("vaec.")) {
        frame = " at " + e.getClassName().replaceAll(".*\\.", "") + "." + e.getMethodName();
        break;
      }
    }
    // Which graph the lowering was building: the frame just above GraphLowering.lower.
    for (int i = 1; i < st.length; i++) {
      if (st[i].getClassName().endsWith("GraphLowering") && st[i].getMethodName().equals("lower")) {
        frame += " (lowering " + st[i - 1].getMethodName() + ")";
        break;
      }
    }
    String msg = t instanceof StackOverflowError ? "" : ": " + normalize(String.valueOf(t.getMessage()), g);
    return t.getClass().getSimpleName() + msg + frame;
  }

  /** A message with the model's own names, the network names and numbers replaced, so that like failures group. */
  static String normalize(String msg, ModelGenerator.Generated g) {
    if (msg == null) return "null";
    // IR records print their whole source statement ("Latent[name=z, width=2, origin=...]"): keep the record's kind.
    String s = msg.replaceAll("\\[name=.*", "").replaceAll("'[^']*'", "'_'");
    s = s.replaceAll("\\b[a-z]_[a-z0-9]+_\\d+\\b", "NET");
    for (String n : g.names()) s = s.replaceAll("\\b" + n + "\\b", "_");
    s = s.replaceAll("\\d+(\\.\\d+)?", "#");
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }

  static String trace(Throwable t) {
    StringBuilder b = new StringBuilder(t.toString());
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(8, st.length); i++) b.append("\n    at ").append(st[i]);
    return b.toString();
  }

  static String report(String stats, List<Failure> failures) {
    StringBuilder b = new StringBuilder("structural fuzz: ").append(stats).append('\n');
    Map<String, List<Failure>> byCause = failures.stream().collect(Collectors.groupingBy(Failure::cause, LinkedHashMap::new, Collectors.toList()));
    List<Map.Entry<String, List<Failure>>> causes = new ArrayList<>(byCause.entrySet());
    causes.sort(Comparator.comparing((Map.Entry<String, List<Failure>> e) -> -e.getValue().size()));
    int i = 1;
    for (Map.Entry<String, List<Failure>> e : causes) {
      List<Failure> fs = e.getValue();
      Failure shortest = fs.stream().min(Comparator.comparingInt(f -> f.model().source().length())).get();
      b.append("\n=== cause ").append(i++).append(" (").append(fs.size()).append(" models): ").append(e.getKey()).append('\n');
      b.append("seeds: ").append(fs.stream().limit(20).map(f -> String.valueOf(f.model().seed())).collect(Collectors.joining(" ")))
          .append(fs.size() > 20 ? " ..." : "").append('\n');
      Map<String, Long> featureCounts = fs.stream().flatMap(f -> f.model().features().stream())
          .collect(Collectors.groupingBy(x -> x, java.util.TreeMap::new, Collectors.counting()));
      b.append("features (models of this cause that have each): ").append(featureCounts).append('\n');
      b.append("features of the shortest (seed ").append(shortest.model().seed()).append("): ").append(shortest.model().features()).append('\n');
      b.append("--- model\n").append(shortest.model().source());
      b.append("--- detail\n").append(shortest.detail()).append('\n');
    }
    return b.toString();
  }
}
