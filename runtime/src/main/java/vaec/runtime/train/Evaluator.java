package vaec.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataInput;
import vaec.runtime.exec.Executor;
import vaec.runtime.graph.Graph;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.model.ReportedTerm;

/**
 * Test-time quantities of a model: the ELBO, the importance-sampled estimate of log p(x)
 * (Burda, Grosse and Salakhutdinov 2016: log (1/K) sum_k p(x, z_k) / q(z_k | x), z_k ~ q), samples from the prior
 * and reconstructions. Evaluation noise comes from its own stream of the run's generator, so the
 * same checkpoint always gives the same numbers.
 */
public final class Evaluator {
  /** The most rows one evaluation pass runs on; fewer when the graphs are wide ({@link #rowsPerPass}). */
  private static final int ROWS_PER_PASS = 4096;

  /**
   * The activations one pass may hold, in bytes: a pass runs on as many rows as fit (at most
   * {@value #ROWS_PER_PASS}), so that a wide model (a convolutional one holds some 10^5 values per
   * row and node) is evaluated in smaller passes instead of running out of memory.
   */
  static final long PASS_BYTES = 256L << 20;

  private final ModelState state;
  private Executor current;
  private String currentKey;

  /** Rows per pass for this model: {@link #rowsPerPass(CompiledModel)}. */
  private final int rowsPerPass;

  public Evaluator(ModelState state) {
    this.state = state;
    this.rowsPerPass = rowsPerPass(state.model);
  }

  /**
   * How many rows one pass of the evaluation graphs runs on: {@value #ROWS_PER_PASS}, or fewer so
   * that the widest graph's values (4-byte floats, every node a row of its width) fit in
   * {@link #PASS_BYTES}; at least 1.
   */
  public static int rowsPerPass(CompiledModel m) {
    long widest = Math.max(1, vaec.runtime.model.MemoryEstimate.widestRow(evaluationGraphs(m)));
    return (int) Math.max(1, Math.min(ROWS_PER_PASS, PASS_BYTES / (4 * widest)));
  }

  /** The graphs evaluation, sampling and encoding run (some null for some models). */
  public static List<Graph> evaluationGraphs(CompiledModel m) {
    return java.util.Arrays.asList(m.evaluate(), m.logWeight(), m.reconstruct(), m.decode(), m.priorSample());
  }


  /**
   * The objective's reported terms, means per example in nats; the first is the loss. {@code kl}
   * gives each latent's KL term (the evaluation graph's "kl_" outputs: log q(z | ...) - log p(z | ...)
   * at the draw, its closed form, or an enumerated latent's exact sum), mean per example, in guide
   * order; the terms sum to the objective's KL term (-ELBO less the reconstruction).
   */
  public record Terms(List<ReportedTerm> names, double[] values, Map<String, Double> kl) {
    public Terms {
      kl = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(kl));
    }

    public double loss() { return values[0]; }

    /** The term whose graph output is {@code output}. */
    public double get(String output) {
      for (int i = 0; i < names.size(); i++) if (names.get(i).output().equals(output)) return values[i];
      throw new IllegalArgumentException("no reported term " + output);
    }

    /** "-ELBO 112.660 nats per example (rec 100.100, KL 12.560)". */
    public String describe() {
      StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%s %.3f nats per example", names.get(0).label(), values[0]));
      for (int i = 1; i < values.length; i++) {
        b.append(i == 1 ? " (" : ", ").append(String.format(java.util.Locale.ROOT, "%s %.3f", names.get(i).label(), values[i]));
      }
      return b.append(values.length > 1 ? ")" : "").toString();
    }
  }

  /**
   * The objective's reported terms on {@code d} with the evaluation graph (relaxed latents drawn
   * discretely), each example repeated over the objective's samples.
   */
  public Terms terms(BoundData d) {
    CompiledModel m = state.model;
    Batches b = new Batches(d);
    int k = m.samples();
    List<ReportedTerm> names = m.terms();
    double[] sums = new double[names.size()];
    Map<String, Double> kl = new LinkedHashMap<>();
    for (String o : m.evaluate().outputs().keySet()) if (o.startsWith(KL_PREFIX)) kl.put(o.substring(KL_PREFIX.length()), 0.0);
    long pass = 0;
    int perPass = Math.max(1, rowsPerPass / k);
    for (int from = 0; from < d.rows(); from += perPass) {
      int n = Math.min(perPass, d.rows() - from);
      Executor ex = executor("evaluate", shared(m.evaluate(), k), n * k);
      b.gather(repeated(from, n, k), ex);
      ex.drawNoise(state.noise, -1_000_000 - pass++);
      ex.forward();
      for (int t = 0; t < sums.length; t++) sums[t] += ex.value(names.get(t).output()).sumNumber().doubleValue();
      for (var e : kl.entrySet()) e.setValue(e.getValue() + ex.value(KL_PREFIX + e.getKey()).sumNumber().doubleValue());
    }
    for (int t = 0; t < sums.length; t++) sums[t] /= (double) d.rows() * k;
    for (var e : kl.entrySet()) e.setValue(e.getValue() / ((double) d.rows() * k));
    return new Terms(names, sums, kl);
  }

  /** Rows from..from+n-1, each repeated {@code k} times in a row (the objective's sample axis). */
  public static int[] repeated(int from, int n, int k) {
    int[] idx = new int[n * k];
    for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) idx[i * k + j] = from + i;
    return idx;
  }

  /** The evaluation graph's outputs of each latent's KL term are named this, then the latent. */
  public static final String KL_PREFIX = "kl_";

  /**
   * Mean over examples of the K-sample importance estimate of log p(x), in nats. It is the IWAE-K
   * bound's estimate (Burda et al. 2016): a lower bound on log p(x) in expectation, tightening as K
   * grows. A pass of the log-weight graph holds at most {@value #ROWS_PER_PASS} rows, or K rows
   * when K is larger; {@link #maxRowsPerPass} says how many.
   */
  public double logLikelihood(BoundData d, int k, java.util.function.IntConsumer progress) {
    return importanceBound(d, k, -2_000_000, progress);
  }

  /**
   * Mean over examples of the IWAE-k bound's estimate, in nats: {@link #logLikelihood} with k
   * samples, drawn from a noise stream of its own so that it does not share draws with the log
   * p(x) estimate.
   */
  public double iwaeBound(BoundData d, int k) {
    return importanceBound(d, k, -6_000_000, null);
  }

  /**
   * The most rows one pass of the log-weight graph runs on for {@code k} samples per example:
   * whole examples, {@value #ROWS_PER_PASS} rows at most, except that one example's k samples are
   * split over passes of at most {@value #ROWS_PER_PASS} rows each when k is larger.
   */
  public static int maxRowsPerPass(int k) { return maxRowsPerPass(k, ROWS_PER_PASS); }

  /** As {@link #maxRowsPerPass(int)} with passes of at most {@code limit} rows. */
  public static int maxRowsPerPass(int k, int limit) {
    if (k <= limit) return (limit / k) * k;
    int passes = (k + limit - 1) / limit;
    return (k + passes - 1) / passes;
  }

  private double importanceBound(BoundData d, int k, long streamBase, java.util.function.IntConsumer progress) {
    if (k < 1) throw new IllegalArgumentException("importance samples per example: " + k);
    CompiledModel m = state.model;
    Batches b = new Batches(d);
    double total = 0;
    long pass = 0;
    if (k <= rowsPerPass) {
      int perPass = rowsPerPass / k;
      for (int from = 0; from < d.rows(); from += perPass) {
        int n = Math.min(perPass, d.rows() - from);
        Executor ex = executor("iw", shared(m.logWeight(), k), n * k);
        b.gather(repeated(from, n, k), ex);
        ex.drawNoise(state.noise, streamBase - pass++);
        ex.forward();
        double[] lw = ex.value("log_weight").toDoubleVector();
        for (int i = 0; i < n; i++) total += logMeanExp(lw, i * k, k);
        if (progress != null) progress.accept(from + n);
      }
      return total / d.rows();
    }
    // More samples than a pass holds: each example's k log-weights come from several passes of
    // at most maxRowsPerPass(k) rows, gathered before the log-mean-exp.
    int chunk = maxRowsPerPass(k, rowsPerPass);
    double[] lw = new double[k];
    for (int row = 0; row < d.rows(); row++) {
      for (int done = 0; done < k; done += chunk) {
        int n = Math.min(chunk, k - done);
        Executor ex = executor("iw", shared(m.logWeight(), n), n);
        b.gather(repeated(row, 1, n), ex);
        ex.drawNoise(state.noise, streamBase - pass++);
        ex.forward();
        System.arraycopy(ex.value("log_weight").toDoubleVector(), 0, lw, done, n);
      }
      total += logMeanExp(lw, 0, k);
      if (progress != null) progress.accept(row + 1);
    }
    return total / d.rows();
  }

  /**
   * The values on {@code d} of the metrics the model declares ({@link CompiledModel#metrics}):
   * those that read the evaluation graph first, then those that read the reconstruct graph, each
   * in the order declared. Each pass a metric reads runs once for all of them, as {@link #terms}
   * runs the evaluation graph (the same rows per pass and the same noise); a model that declares
   * none gets an empty list and no pass.
   */
  public List<EvalMetric.Value> metrics(BoundData d) {
    return metrics(d, x -> true);
  }

  /** As {@link #metrics(BoundData)}, for the declared metrics {@code which} accepts. */
  public List<EvalMetric.Value> metrics(BoundData d, java.util.function.Predicate<EvalMetric> which) {
    CompiledModel m = state.model;
    List<EvalMetric.Value> out = new ArrayList<>();
    for (EvalMetric.Pass kind : EvalMetric.Pass.values()) {
      List<EvalMetric.Tally> tallies = new ArrayList<>();
      for (EvalMetric metric : m.metrics()) if (metric.pass() == kind && which.test(metric)) tallies.add(metric.start());
      if (tallies.isEmpty()) continue;
      Batches b = new Batches(d);
      switch (kind) {
        case EVALUATE -> {
          int k = m.samples();
          int perPass = Math.max(1, rowsPerPass / k);
          long pass = 0;
          for (int from = 0; from < d.rows(); from += perPass) {
            int n = Math.min(perPass, d.rows() - from);
            Executor ex = executor("evaluate", shared(m.evaluate(), k), n * k);
            b.gather(repeated(from, n, k), ex);
            ex.drawNoise(state.noise, -1_000_000 - pass++);
            ex.forward();
            for (EvalMetric.Tally t : tallies) t.add(ex, n);
          }
        }
        case RECONSTRUCT -> {
          for (int from = 0; from < d.rows(); from += rowsPerPass) {
            int n = Math.min(rowsPerPass, d.rows() - from);
            Executor ex = executor("recon", m.reconstruct(), n);
            b.gather(range(from, n), ex);
            ex.forward();
            for (EvalMetric.Tally t : tallies) t.add(ex, n);
          }
        }
      }
      for (EvalMetric.Tally t : tallies) out.add(t.value());
    }
    return out;
  }

  /** Burda et al.'s threshold: a unit is active when the variance over examples of its guide mean exceeds it. */
  public static final double ACTIVE_THRESHOLD = 0.01;

  /**
   * One latent's activity (Burda, Grosse and Salakhutdinov 2016, section 5.2): for each of its
   * units u, the variance over examples x of E_q[z_u | x] (the sample variance, n - 1 in the
   * denominator; NaN with fewer than two examples).
   */
  public record Activity(String latent, double[] variance) {
    /** The units whose variance exceeds {@code threshold}. */
    public int active(double threshold) {
      int n = 0;
      for (double v : variance) if (v > threshold) n++;
      return n;
    }

    /** The units active under {@link #ACTIVE_THRESHOLD}. */
    public int active() { return active(ACTIVE_THRESHOLD); }

    public int units() { return variance.length; }
  }

  /** Each latent's activity over the rows of {@code enc}, in its order. */
  public static List<Activity> activity(Encoding enc) {
    List<Activity> out = new ArrayList<>();
    int col = 0;
    int n = enc.rows().length;
    for (int i = 0; i < enc.latents().size(); i++) {
      int w = enc.widths().get(i);
      double[] var = new double[w];
      for (int j = 0; j < w; j++) {
        if (n < 2) {
          var[j] = Double.NaN;
          continue;
        }
        double mean = 0;
        for (float[] r : enc.rows()) mean += r[col + j];
        mean /= n;
        double ss = 0;
        for (float[] r : enc.rows()) ss += (r[col + j] - mean) * (r[col + j] - mean);
        var[j] = ss / (n - 1);
      }
      out.add(new Activity(enc.latents().get(i), var));
      col += w;
    }
    return out;
  }

  static double logMeanExp(double[] v, int off, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) max = Math.max(max, v[off + j]);
    if (max == Double.NEGATIVE_INFINITY) return max;
    double s = 0;
    for (int j = 0; j < k; j++) s += Math.exp(v[off + j] - max);
    return max + Math.log(s / k);
  }

  /** The data inputs the prior-sampling graph reads (conditioning inputs), which {@link #samplePrior} needs. */
  public List<String> priorInputs() {
    List<String> out = new ArrayList<>();
    for (DataInput d : state.model.data()) if (state.model.priorSample().inputs().containsKey(d.name())) out.add(d.name());
    return out;
  }

  /** Likelihood means for {@code n} draws from the prior, one row each, by scored variable; for models without conditioning inputs. */
  public Map<String, float[][]> samplePrior(int n, long stream) {
    return samplePrior(n, stream, Map.of());
  }

  /**
   * Likelihood means for {@code n} draws from the prior, one row each, by scored variable.
   * {@code conditions} gives, for every conditioning input the prior-sampling graph reads
   * ({@link #priorInputs}), the value of each of the {@code n} rows.
   */
  public Map<String, float[][]> samplePrior(int n, long stream, Map<String, float[][]> conditions) {
    Executor ex = executor("prior", state.model.priorSample(), n);
    for (String name : priorInputs()) {
      float[][] c = conditions.get(name);
      if (c == null) throw new IllegalArgumentException("sampling needs a value of the conditioning input " + name);
      if (c.length != n) throw new IllegalArgumentException(name + ": " + c.length + " condition rows for " + n + " samples");
      ex.input(name).assign(Nd4j.createFromArray(c).castTo(ex.input(name).dataType()));
    }
    ex.drawNoise(state.noise, -3_000_000 - stream);
    ex.forward();
    return means(ex, "mean_");
  }

  /** Likelihood means at the guide's mean for the first {@code n} rows of {@code d}, by scored variable. */
  public Map<String, float[][]> reconstruct(BoundData d, int n) {
    Executor ex = executor("recon", state.model.reconstruct(), n);
    new Batches(d).gather(range(0, n), ex);
    ex.forward();
    return means(ex, "mean_");
  }

  /**
   * Likelihood means at given values of the latents, by scored variable: row r of each output is
   * the decoding of row r of every latent in {@code latents} (one entry per latent of the model,
   * named as in the model, each {@code n} rows of the latent's width), with {@code conditions}
   * giving row r of every conditioning input (one entry per data variable the model reads without
   * scoring it; none for a model without conditioning inputs). This is the model's decode graph;
   * a scored variable that another likelihood reads is drawn for it from the evaluation's own
   * noise stream, so the same call gives the same means.
   */
  public Map<String, float[][]> decode(Map<String, float[][]> latents, Map<String, float[][]> conditions) {
    Graph g = state.model.decode();
    java.util.Set<String> dataNames = new java.util.HashSet<>();
    for (DataInput d : state.model.data()) dataNames.add(d.name());
    int n = -1;
    Map<String, float[][]> given = new LinkedHashMap<>();
    for (var e : g.inputs().entrySet()) {
      String name = e.getKey();
      boolean data = dataNames.contains(name);
      float[][] v = (data ? conditions : latents).get(name);
      if (v == null) {
        throw new IllegalArgumentException("decoding needs a value of the " + (data ? "conditioning input " : "latent ") + name);
      }
      if (n < 0) n = v.length;
      if (v.length != n) throw new IllegalArgumentException(name + ": " + v.length + " rows, but " + n + " rows of the other inputs");
      int width = e.getValue().width();
      for (int r = 0; r < v.length; r++) {
        if (v[r].length != width) throw new IllegalArgumentException(name + " row " + r + ": " + v[r].length + " values, expected " + width);
      }
      given.put(name, v);
    }
    for (String name : latents.keySet()) {
      if (!g.inputs().containsKey(name) || dataNames.contains(name)) throw new IllegalArgumentException("the model has no latent " + name);
    }
    for (String name : conditions.keySet()) {
      if (!dataNames.contains(name) || state.model.input(name).scored()) {
        throw new IllegalArgumentException("the model has no conditioning input " + name);
      }
    }
    if (n < 0) throw new IllegalArgumentException("the decode graph has no inputs");
    final int total = n;
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (String o : g.outputs().keySet()) if (o.startsWith("mean_")) out.put(o.substring("mean_".length()), new float[total][]);
    for (int from = 0; from < total; from += rowsPerPass) {
      int rows = Math.min(rowsPerPass, total - from);
      Executor ex = executor("decode", g, rows);
      for (var e : given.entrySet()) {
        float[][] part = java.util.Arrays.copyOfRange(e.getValue(), from, from + rows);
        INDArray in = ex.input(e.getKey());
        in.assign(Nd4j.createFromArray(part).castTo(in.dataType()).reshape(in.shape()));
      }
      ex.drawNoise(state.noise, -4_000_000 - from / rowsPerPass);
      ex.forward();
      for (var e : means(ex, "mean_").entrySet()) System.arraycopy(e.getValue(), 0, out.get(e.getKey()), from, rows);
    }
    return out;
  }

  /** Every row's guide mean of the latents, side by side in the order the guide samples them. */
  public record Encoding(List<String> latents, List<Integer> widths, float[][] rows) {
    /** Column names: z[0], z[1], ..., then the next latent's. */
    public List<String> columns() {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < latents.size(); i++) for (int j = 0; j < widths.get(i); j++) out.add(latents.get(i) + "[" + j + "]");
      return out;
    }
  }

  /** The guide's mean of every latent for every row of {@code d} (the reconstruct graph's latent_mean_ outputs). */
  public Encoding encode(BoundData d) {
    Batches b = new Batches(d);
    List<String> names = new ArrayList<>();
    List<Integer> widths = new ArrayList<>();
    for (var e : state.model.reconstruct().outputs().entrySet()) {
      if (!e.getKey().startsWith(LATENT_MEAN)) continue;
      names.add(e.getKey().substring(LATENT_MEAN.length()));
      widths.add(e.getValue().width());
    }
    int total = widths.stream().mapToInt(Integer::intValue).sum();
    float[][] out = new float[d.rows()][total];
    for (int from = 0; from < d.rows(); from += rowsPerPass) {
      int n = Math.min(rowsPerPass, d.rows() - from);
      Executor ex = executor("recon", state.model.reconstruct(), n);
      b.gather(range(from, n), ex);
      ex.forward();
      int col = 0;
      for (int i = 0; i < names.size(); i++) {
        float[][] part = rows(ex.value(LATENT_MEAN + names.get(i)));
        for (int r = 0; r < n; r++) System.arraycopy(part[r], 0, out[from + r], col, widths.get(i));
        col += widths.get(i);
      }
    }
    return new Encoding(names, widths, out);
  }

  private static final String LATENT_MEAN = "latent_mean_";

  private static Map<String, float[][]> means(Executor ex, String prefix) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (String o : ex.graph().outputs().keySet()) {
      if (o.startsWith(prefix)) out.put(o.substring(prefix.length()), rows(ex.value(o)));
    }
    return out;
  }

  /**
   * Whether passes run the guide's networks once per example ({@link #shared}); on unless the
   * system property {@code vaec.eval.shareRows} is {@code false} (for measuring the difference:
   * {@code VAEC_JAVA_OPTS=-Dvaec.eval.shareRows=false ./vaec eval ...}).
   */
  private boolean shareRows = !"false".equals(System.getProperty("vaec.eval.shareRows"));

  /**
   * Turns the row sharing of {@link #shared} off or on: off, every pass runs the graphs as compiled,
   * every op on all rows (the reference the shared passes are tested against).
   */
  public void shareRows(boolean on) {
    if (on != shareRows) release();
    shareRows = on;
  }

  private final Map<Graph, Map<Integer, Graph>> sharedGraphs = new java.util.IdentityHashMap<>();

  /**
   * {@code g} for passes whose examples each fill {@code k} consecutive rows ({@link #repeated}):
   * the data read once per example, so that the guide's networks, and whatever else reads only the
   * data, run on one row per example instead of k, and are widened where the draws join them
   * ({@link Graph#sharedOver}, as training does under an importance-weighted objective). The copy
   * draws the same noise, so the results are those of {@code g} on the repeated rows. Made once
   * per graph and k; {@code g} itself for k = 1, when sharing is off, or when {@code g} already
   * runs something once per example.
   */
  private Graph shared(Graph g, int k) {
    if (!shareRows || k < 2) return g;
    for (vaec.runtime.graph.Node n : g.nodes()) if (n.rowGroup() != 1) return g;
    return sharedGraphs.computeIfAbsent(g, x -> new java.util.HashMap<>()).computeIfAbsent(k, g::sharedOver);
  }

  /**
   * The executor for one kind of pass at one number of rows. Only one is kept at a time: a pass
   * of another kind or size frees the previous one's buffers first (an executor for 4,096 rows of
   * a 784-pixel model holds tens of MiB), so evaluation needs the memory of one pass, not of every
   * pass it ever ran. Each method uses one kind, so a caller never holds a freed executor.
   */
  private Executor executor(String kind, Graph g, int batch) {
    String key = kind + "@" + batch;
    if (current != null && key.equals(currentKey) && current.graph() == g) return current;
    release();
    current = new Executor(g, batch, state.params);
    currentKey = key;
    return current;
  }

  /** Frees the buffers of the executor kept from the last pass (the next pass makes a new one). */
  public void release() {
    if (current != null) current.close();
    current = null;
    currentKey = null;
  }

  private static float[][] rows(INDArray a) {
    return a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
  }

  private static int[] range(int from, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = from + i;
    return idx;
  }
}
