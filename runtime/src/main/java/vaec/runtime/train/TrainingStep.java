package vaec.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.data.DataInput;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.exec.StepProfile;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.kernels.Gemm;
import vaec.runtime.kernels.KernelPath;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.Parallel;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.ops.Dense;
import vaec.runtime.rng.NoiseSource;

/**
 * One training step's forward and backward pass over a batch: gather the examples, binarize them,
 * draw the noise, run the training graph (and the control variates' graph), and leave the batch
 * mean's gradient in the parameter store. The optimizer step is the caller's.
 *
 * <p>On the CPU's direct kernels, a model whose every op is per example ({@link
 * vaec.runtime.graph.Op#perExample}) runs the step as two halves of the batch, each through its
 * own executor, on the calling thread and the {@link Parallel} helper thread at once: every op of
 * the step, not only the large gemms, then has a core of its own. The halves' gradients (each the
 * mean over its rows) are combined into the whole batch's mean, weighted by their rows. Noise and
 * binarization are drawn for the whole batch, exactly as for one pass, and each half takes its
 * rows; so the step computes the same loss and gradient as one pass over the batch, up to float
 * summation order. The split depends only on the model, never on the machine: with one core, the
 * two halves run one after the other, so a seed gives the same run everywhere.
 */
abstract class TrainingStep {
  /** Where a non-finite value or gradient was first found. */
  record Fault(String what, Executor executor, Node node) {}

  final CompiledModel model;
  final int batch;
  final int k;
  final Batches data;
  final List<Node> termNodes;

  private TrainingStep(CompiledModel m, int batch, Batches data) {
    this.model = m;
    this.batch = batch;
    this.k = m.samples();
    this.data = data;
    this.termNodes = m.terms().stream().map(t -> m.train().output(t.output())).toList();
  }

  /** When a step runs as two halves: when it pays (default), always (where the model allows), never. */
  enum HalvesMode {
    AUTO, ALWAYS, NEVER;

    /** The mode a VAEC_BATCH_HALVES setting names: unset or blank AUTO, 0 NEVER, 1 ALWAYS; anything else is a user error. */
    static HalvesMode of(String setting) {
      if (setting == null || setting.isBlank()) return AUTO;
      return switch (setting.trim()) {
        case "0" -> NEVER;
        case "1" -> ALWAYS;
        default -> throw new vaec.runtime.UserError("VAEC_BATCH_HALVES is '" + setting + "': expected 0 (each step as one pass), "
            + "1 (as two halves of the batch wherever the model allows) or unset (halves where they pay)");
      };
    }
  }

  /**
   * A step runs as halves by default when its widest op has at least this many rows and more than
   * one row per example (an objective's samples, or the stacked blocks of enumerated latents or of
   * REBAR's evaluations). Measured on the quiet 2-core machine: the ten-cluster mixture (1,280
   * stacked rows) 15% faster as halves (12.05 against 14.15 s an epoch), IWAE-5 (640 rows) 2%
   * faster; the plain reference VAE slower as halves at batch 128 (2.98-3.03 s against 2.80-2.86 s:
   * OpenBLAS's single-threaded gemm on 64 rows, 93 GFLOP/s for 64x784x400, loses to the split
   * 128-row gemm) and at batch 512 (1.84-1.95 s against 1.81 s), where the split gemms already keep
   * both cores busy.
   */
  static final int AUTO_MIN_ROWS = 256;

  /**
   * A step also runs as halves by default when it has at least {@link #AUTO_MIN_ROWS_NARROW} rows
   * and the dense layers' products that {@link Gemm} splits over the two cores average fewer than
   * this many multiply-adds (forward products, at the step's rows): narrow layers, whose element-wise work, small gemms and per-product hand-offs between
   * the threads weigh more against their gemms (a layer's gemm work per element of its output is
   * its input width). One pass runs every op but the split products on one core; halves run all
   * of them on both. The nonlinear SBN (784-200-200-200 tanh layers, batch 128: 10.1 million on
   * average) was about 9% faster as halves, the linear SBN (784-200, 20.1 million) the same either
   * way, the reference VAE (784-400-20, 40.1 million) 6-7% slower as halves; the nonlinear SBN at
   * batch 256 (20.2 million) and both SBNs at batch 50 (7.8 million, halves of 25 rows) were slower
   * as halves. See "Two cores" in bench/PERFORMANCE_LOG.md.
   */
  static final long AUTO_MAX_MEAN_SPLIT = 16_000_000;

  /** The fewest rows (64 a half) at which narrow split products make halves pay. */
  static final int AUTO_MIN_ROWS_NARROW = 128;

  static TrainingStep of(CompiledModel m, int batch, ParameterStore params, Batches data, HalvesMode mode) {
    boolean halves = mode != HalvesMode.NEVER && halvable(m, batch) && (mode == HalvesMode.ALWAYS || pays(m, batch));
    return halves ? new Halves(m, batch, params, data) : new Whole(m, batch, params, data);
  }

  /**
   * The default rule: stacked rows (AUTO_MIN_ROWS), or narrow split products on at least 128 rows
   * (AUTO_MAX_MEAN_SPLIT, AUTO_MIN_ROWS_NARROW). Depends on the model and the batch only, never on
   * the machine or on timings, so that a seed gives the same run everywhere.
   */
  static boolean pays(CompiledModel m, int batch) {
    long widest = widestRows(m, batch);
    if (widest >= AUTO_MIN_ROWS && widest > batch) return true;
    if ((long) batch * m.samples() < AUTO_MIN_ROWS_NARROW) return false;
    double mean = meanSplitProduct(m, batch);
    return mean > 0 && mean < AUTO_MAX_MEAN_SPLIT;
  }

  /**
   * The mean multiply-adds of the forward products of the training graph's dense layers that
   * {@link Gemm} splits over two threads ({@link Gemm#splits}),
   * at {@code batch} examples; 0 when there is none, and for a model with convolutions (whose
   * im2col products it does not count, and which were not measured either way). The backward
   * products mirror the forward ones.
   */
  static double meanSplitProduct(CompiledModel m, int batch) {
    long rows = (long) batch * m.samples();
    double sum = 0;
    int count = 0;
    for (Node n : m.train().nodes()) {
      if (n.kind() == Node.Kind.OP && n.op() instanceof vaec.runtime.ops.Conv2d) return 0;
      if (n.kind() != Node.Kind.OP || !(n.op() instanceof Dense)) continue;
      long r = rows * Math.max(1, n.rows()) / Math.max(1, n.rowGroup());
      long work = r * n.input(0).width() * (long) n.width();
      if (Gemm.splits(r, n.width(), n.input(0).width())) {
        sum += work;
        count++;
      }
    }
    return count == 0 ? 0 : sum / count;
  }

  /** The most rows any node of the training graph has in a step of {@code batch} examples. */
  static long widestRows(CompiledModel m, int batch) {
    long rows = (long) batch * m.samples();
    long widest = rows;
    for (Node n : m.train().nodes()) widest = Math.max(widest, rows * Math.max(1, n.rows()) / Math.max(1, n.rowGroup()));
    return widest;
  }

  /** Whether this step runs as two halves. */
  boolean halved() { return this instanceof Halves; }

  /** Whether a step of {@code batch} examples of {@code m} may run as two halves of the batch. */
  static boolean halvable(CompiledModel m, int batch) {
    return batch >= 2 && KernelPath.direct() && acrossBatch(m) == null;
  }

  /** The first op of the training (or control-variate) graph that reads across the batch's examples, or null. */
  static Node acrossBatch(CompiledModel m) {
    for (Graph g : java.util.Arrays.asList(m.train(), m.controlVariates())) {
      if (g == null) continue;
      for (Node n : g.nodes()) {
        if (n.kind() != Node.Kind.OP) continue;
        if (!n.op().perExample() || n.op().hasState() && !n.op().splitsState()) return n;
      }
    }
    return null;
  }

  /** Binds schedules given in epochs to steps. */
  abstract void beginRun(long stepsPerEpoch);

  /** The training executors, for tests that look at a step's inputs. */
  abstract List<Executor> executors();

  /** The executor whose ops a step profile times. */
  abstract Executor profiled();

  /**
   * Forward and backward over the examples {@code idx} (training-set rows) at optimizer step
   * {@code step}; adds each term's sum over the batch's rows to {@code termSums}. Returns the first
   * fault (a non-finite loss value, or gradient), or null.
   */
  abstract Fault run(int[] idx, long step, NoiseSource noise, double[] termSums, StepProfile profile,
      java.util.function.Consumer<Executor> afterGather);

  /** The model's dynamically binarized inputs, in the order of their noise streams (-1, -2, ...). */
  static List<String> binarizedInputs(CompiledModel m) {
    List<String> names = new ArrayList<>();
    if (!m.config().dynamicBinarization()) return names;
    for (DataInput d : m.data()) if (d.binarizable()) names.add(d.name());
    return names;
  }

  /** The batch as one pass: one executor (and its control variates) over all rows. */
  private static final class Whole extends TrainingStep {
    private final TrainingPass pass;
    private final List<INDArray> binarized = new ArrayList<>();
    private final List<INDArray> uniform = new ArrayList<>();
    private final int[] rowsIdx;
    /** The terms' sums over the rows, read every step (a 1 x 1 buffer: sumNumber makes six ND4J buffers). */
    private final INDArray total;

    Whole(CompiledModel m, int batch, ParameterStore params, Batches data) {
      super(m, batch, data);
      this.pass = new TrainingPass(m, batch * k, params);
      Executor ex = pass.main();
      data.requireInputs(ex, m.data().stream().map(DataInput::name).toList());
      for (String name : binarizedInputs(m)) {
        INDArray x = ex.graph().inputs().containsKey(name) ? ex.input(name) : null;
        binarized.add(x);
        uniform.add(x == null ? null : Nd4j.create(x.dataType(), batch, x.columns()));
      }
      this.rowsIdx = new int[batch * k];
      this.total = Nd4j.create(params.dtype(), 1, 1);
    }

    @Override void beginRun(long stepsPerEpoch) { pass.beginRun(stepsPerEpoch); }
    @Override List<Executor> executors() { return List.of(pass.main()); }
    @Override Executor profiled() { return pass.main(); }

    @Override
    Fault run(int[] idx, long step, NoiseSource noise, double[] termSums, StepProfile profile,
        java.util.function.Consumer<Executor> afterGather) {
      long t1 = profile == null ? 0 : System.nanoTime();
      Executor ex = pass.main();
      for (int i = 0; i < batch; i++) for (int j = 0; j < k; j++) rowsIdx[i * k + j] = idx[i];
      data.gather(rowsIdx, ex);
      for (int v = 0; v < binarized.size(); v++) {
        if (binarized.get(v) == null) continue;
        noise.fill(uniform.get(v), NoiseKind.UNIFORM, step, -1 - v);
        Trainer.binarizeExamples(binarized.get(v), uniform.get(v));
      }
      if (afterGather != null) afterGather.accept(ex);
      long t2 = profile == null ? 0 : System.nanoTime();
      pass.drawNoise(noise, step);
      if (profile != null) {
        profile.addData(t2 - t1);
        profile.addNoise(System.nanoTime() - t2);
      }
      pass.forward(profile);
      double loss = Kernels.columnSum(ex.value(termNodes.get(0)), total);
      if (!Double.isFinite(loss)) return new Fault("value", ex, ex.firstNonFiniteValue());
      pass.backward(profile);
      termSums[0] += loss;
      for (int t = 1; t < termSums.length; t++) termSums[t] += Kernels.columnSum(ex.value(termNodes.get(t)), total);
      return null;
    }

    @Override
    Fault gradientFault() {
      Node bad = pass.firstNonFiniteGradient();
      return new Fault("gradient", pass.main(), bad);
    }
  }

  /** The first non-finite gradient, for the message when the optimizer refuses a step. */
  abstract Fault gradientFault();

  /**
   * The batch as two halves of its examples: the first {@code batch / 2} through one executor on
   * the calling thread, the rest through another on the helper thread. The second half's executor
   * reads the same parameter values and writes its own gradient vector, which is then folded into
   * the store's: g = (rows1 g1 + rows2 g2) / rows.
   */
  private static final class Halves extends TrainingStep {
    private final ParameterStore params;
    private final ParameterStore second;
    private final Half[] half = new Half[2];
    private final int[] sizes;
    /** The whole batch's noise per noise node of each graph (training, control variates), drawn once and split. */
    private final List<Node> noiseNodes = new ArrayList<>();
    private final List<INDArray> wholeNoise = new ArrayList<>();
    private final List<Integer> noiseGraph = new ArrayList<>();
    private final List<INDArray> uniform = new ArrayList<>();
    private final List<String> binarizedNames;
    private final List<Node> stateful = new ArrayList<>();
    private final List<List<INDArray[]>> statefulInputs = new ArrayList<>();
    private final List<List<INDArray>> statefulOutputs = new ArrayList<>();
    private final float w0, w1;
    private final Runnable[] fold;

    /** One half's pass and its buffers. */
    private final class Half {
      final TrainingPass pass;
      final int offset, size;
      final int[] rowsIdx;
      final List<INDArray> binarized = new ArrayList<>();
      final List<INDArray> uniformRows = new ArrayList<>();
      final List<INDArray[]> noiseTargets = new ArrayList<>();
      final List<INDArray[]> noiseSources = new ArrayList<>();
      final double[] sums;
      final INDArray total;
      double loss;
      Fault fault;
      StepProfile profile;

      Half(int offset, int size, ParameterStore store) {
        this.offset = offset;
        this.size = size;
        this.pass = new TrainingPass(model, size * k, store);
        this.rowsIdx = new int[size * k];
        this.sums = new double[termNodes.size()];
        this.total = Nd4j.create(store.dtype(), 1, 1);
        Executor ex = pass.main();
        data.requireInputs(ex, model.data().stream().map(DataInput::name).toList());
        for (int v = 0; v < binarizedNames.size(); v++) {
          String name = binarizedNames.get(v);
          binarized.add(ex.graph().inputs().containsKey(name) ? ex.input(name) : null);
          uniformRows.add(uniform.get(v) == null ? null : rows(uniform.get(v), offset, offset + size));
        }
      }

      /** Copies of this half's rows out of the whole batch's noise, made once as views. */
      void planNoise(Node n, INDArray whole, Executor ex) {
        INDArray mine = ex.value(n);
        int blocks = Math.max(1, n.rows());
        long perBlock = whole.rows() / blocks;
        long rowsHere = mine.rows() / blocks;
        long perExample = perBlock / batch;
        INDArray[] targets = new INDArray[blocks];
        INDArray[] sources = new INDArray[blocks];
        for (int j = 0; j < blocks; j++) {
          targets[j] = blocks == 1 ? mine : rows(mine, j * rowsHere, (j + 1) * rowsHere);
          long from = j * perBlock + offset * perExample;
          sources[j] = rows(whole, from, from + rowsHere);
        }
        noiseTargets.add(targets);
        noiseSources.add(sources);
      }

      void run(long step, StepProfile profile) {
        fault = null;
        loss = 0;
        java.util.Arrays.fill(sums, 0);
        Executor ex = pass.main();
        for (int i = 0; i < noiseTargets.size(); i++) {
          INDArray[] t = noiseTargets.get(i), s = noiseSources.get(i);
          for (int j = 0; j < t.length; j++) Kernels.scale(s[j], 1.0, t[j]);   // a copy, with no buffer made
        }
        pass.forward(profile);
        double l = Kernels.columnSum(ex.value(termNodes.get(0)), total);
        if (!Double.isFinite(l)) {
          fault = new Fault("value", ex, ex.firstNonFiniteValue());
          return;
        }
        pass.backward(profile);
        sums[0] = l;
        for (int t = 1; t < sums.length; t++) sums[t] = Kernels.columnSum(ex.value(termNodes.get(t)), total);
      }
    }

    Halves(CompiledModel m, int batch, ParameterStore params, Batches data) {
      super(m, batch, data);
      this.params = params;
      this.second = params.sharingValues();
      this.binarizedNames = binarizedInputs(m);
      int first = batch / 2;
      this.sizes = new int[] {first, batch - first};
      // Per-example uniforms for binarization, drawn for the whole batch; each half reads its rows.
      for (String name : binarizedNames) {
        boolean read = m.train().inputs().containsKey(name);
        uniform.add(read ? Nd4j.create(params.dtype(), batch, data.data.get(name).width()) : null);
      }
      half[0] = new Half(0, sizes[0], params);
      half[1] = new Half(sizes[0], sizes[1], second);
      // Stateful ops (a running baseline) update once per step, from both halves.
      for (Half h : half) h.pass.deferStateUpdates();
      for (int gi = 0; gi < half[0].pass.executors().size(); gi++) {
        for (Node n : half[0].pass.executors().get(gi).graph().nodes()) {
          if (n.kind() == Node.Kind.OP && n.op().hasState()) {
            Executor a = half[0].pass.executors().get(gi), b = half[1].pass.executors().get(gi);
            stateful.add(n);
            statefulInputs.add(List.of(a.inputs(n), b.inputs(n)));
            statefulOutputs.add(List.of(a.value(n), b.value(n)));
          }
        }
      }
      // Whole-batch noise buffers, one per noise node of each of the pass's graphs.
      List<Executor> ex0 = half[0].pass.executors();
      List<Executor> ex1 = half[1].pass.executors();
      for (int gi = 0; gi < ex0.size(); gi++) {
        for (Node n : ex0.get(gi).graph().nodes()) {
          if (n.kind() != Node.Kind.NOISE) continue;
          INDArray a = ex0.get(gi).value(n);
          INDArray b = ex1.get(gi).value(n);
          INDArray whole = Nd4j.create(a.dataType(), a.rows() + b.rows(), a.columns());
          noiseNodes.add(n);
          noiseGraph.add(gi);
          wholeNoise.add(whole);
          half[0].planNoise(n, whole, ex0.get(gi));
          half[1].planNoise(n, whole, ex1.get(gi));
        }
      }
      float rows = batch;
      this.w0 = sizes[0] / rows;
      this.w1 = sizes[1] / rows;
      // The gradient fold in two halves of the parameter vector, one per core.
      INDArray g = params.grads(), g2 = second.grads();
      long n = g.length(), mid = n / 2;
      INDArray gLow = g.get(NDArrayIndex.interval(0, mid)), gHigh = g.get(NDArrayIndex.interval(mid, n));
      INDArray g2Low = g2.get(NDArrayIndex.interval(0, mid)), g2High = g2.get(NDArrayIndex.interval(mid, n));
      this.fold = new Runnable[] {() -> fold(gLow, g2Low), () -> fold(gHigh, g2High)};
    }

    /** g = w0 g + w1 g2 ({@link vaec.runtime.kernels.Fold}): no ND4J buffer per step. */
    private void fold(INDArray g, INDArray g2) {
      vaec.runtime.kernels.Fold.fold(g, w0, g2, w1);
    }

    private static INDArray rows(INDArray a, long from, long to) {
      return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    @Override
    void beginRun(long stepsPerEpoch) {
      half[0].pass.beginRun(stepsPerEpoch);
      half[1].pass.beginRun(stepsPerEpoch);
    }

    @Override List<Executor> executors() { return List.of(half[0].pass.main(), half[1].pass.main()); }
    @Override Executor profiled() { return half[0].pass.main(); }

    private long stepNow;
    private StepProfile profileNow;
    private final Runnable runFirst = () -> half[0].run(stepNow, profileNow);
    private final Runnable runSecond = () -> half[1].run(stepNow, null);

    @Override
    Fault run(int[] idx, long step, NoiseSource noise, double[] termSums, StepProfile profile,
        java.util.function.Consumer<Executor> afterGather) {
      long t1 = profile == null ? 0 : System.nanoTime();
      // The data, the binarization noise and the graph noise are prepared here, on one thread:
      // the noise source and the gather's buffer views are not shared between threads.
      for (int v = 0; v < uniform.size(); v++) {
        if (uniform.get(v) != null) noise.fill(uniform.get(v), NoiseKind.UNIFORM, step, -1 - v);
      }
      for (Half h : half) {
        for (int i = 0; i < h.size; i++) for (int j = 0; j < k; j++) h.rowsIdx[i * k + j] = idx[h.offset + i];
        Executor ex = h.pass.main();
        data.gather(h.rowsIdx, ex);
        for (int v = 0; v < h.binarized.size(); v++) {
          if (h.binarized.get(v) != null) Trainer.binarizeExamples(h.binarized.get(v), h.uniformRows.get(v));
        }
        if (afterGather != null) afterGather.accept(ex);
      }
      long t2 = profile == null ? 0 : System.nanoTime();
      // Every op learns the step (schedules, temperatures); the noise is the whole batch's, split.
      half[0].pass.beginStep(step);
      half[1].pass.beginStep(step);
      for (int i = 0; i < noiseNodes.size(); i++) noise.fill(wholeNoise.get(i), noiseNodes.get(i).noiseKind(), step, noiseNodes.get(i).noiseKey());
      if (profile != null) {
        profile.addData(t2 - t1);
        profile.addNoise(System.nanoTime() - t2);
      }
      stepNow = step;
      profileNow = profile;
      Parallel.both(runFirst, runSecond);
      for (Half h : half) if (h.fault != null) return h.fault;
      for (int i = 0; i < stateful.size(); i++) stateful.get(i).op().afterTrainingStepOfParts(statefulInputs.get(i), statefulOutputs.get(i));
      Parallel.both(fold[0], fold[1]);
      for (Half h : half) for (int t = 0; t < termSums.length; t++) termSums[t] += h.sums[t];
      return null;
    }

    @Override
    Fault gradientFault() {
      for (Half h : half) {
        Node bad = h.pass.firstNonFiniteGradient();
        if (bad != null) return new Fault("gradient", h.pass.main(), bad);
      }
      return new Fault("gradient", half[0].pass.main(), null);
    }
  }
}
