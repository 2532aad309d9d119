package vaec.runtime.train;

import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.DataSplit;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.StepProfile;
import vaec.runtime.graph.Node;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.model.CompiledModel;

/**
 * The training loop: mini-batches cut in turn from each epoch's {@link BatchOrder} (a seeded
 * shuffle of the rows; the last incomplete batch of an epoch is dropped),
 * one forward and backward pass and one optimizer step per batch, a test evaluation and an
 * atomic checkpoint after every epoch. A stop request (Ctrl-C) is honoured between steps with a
 * checkpoint of the exact position, so that {@code --resume} continues the same run.
 */
public final class Trainer {
  private final ModelState state;
  private final DataSplit data;
  private final Path checkpoint;
  private final TrainingListener listener;
  private final Evaluator evaluator;
  private final BatchOrder batchOrder;
  private volatile boolean stopRequested;
  private volatile boolean running;

  /** A trainer visiting the rows in the order {@link BatchOrder#of} chooses for the model and its training rows. */
  public Trainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener) {
    this(state, data, checkpoint, listener, null);
  }

  /**
   * A trainer whose epochs visit the training rows in {@code order}'s order (made for
   * {@code data.train()}); null: the order {@link BatchOrder#of} chooses, when training starts.
   */
  public Trainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener, BatchOrder order) {
    this.state = state;
    this.data = data;
    this.checkpoint = checkpoint;
    this.listener = listener;
    this.evaluator = new Evaluator(state);
    this.batchOrder = order;
  }

  /** Asks the loop to save and return after the current step; safe from any thread. */
  public void requestStop() { stopRequested = true; }

  public boolean isRunning() { return running; }

  /** Trains until {@code epochs} epochs are complete; returns false when stopped early. */
  public boolean train(int epochs) {
    running = true;
    try {
      return loop(epochs);
    } finally {
      running = false;
    }
  }

  private boolean loop(int epochs) {
    CompiledModel m = state.model;
    BatchOrder batchOrder = this.batchOrder != null ? this.batchOrder : BatchOrder.of(m, data.train());
    int rows = batchOrder.length();
    int batch = m.config().batchFor(rows);
    int perEpoch = rows / batch;
    // One pass over the batch, or two halves of it on two cores (TrainingStep says when).
    TrainingStep pass = step(m, batch);
    halved = pass.halved();
    pass.beginRun(perEpoch);
    int k = m.samples();   // the objective's samples per example: rows = batch x k
    int[] idx = new int[batch];
    double perRow = 1.0 / (batch * k);
    StepProfile profile = StepProfile.ENABLED ? new StepProfile(pass.profiled()) : null;
    if (profile != null) StepProfile.memory(System.err, "training buffers planned");
    if (profile != null) {
      Node across = TrainingStep.acrossBatch(m);
      if (halved) {
        System.err.println("each step runs as two halves of the batch on two threads (VAEC_BATCH_HALVES=0: one pass); "
            + "the op times below are the first half's thread's");
      } else if (across != null) {
        System.err.println("each step runs as one pass over the batch: " + across.label()
            + (across.origin().line() > 0 ? " (" + across.origin().file() + ":" + across.origin().line() + ")" : "")
            + " reads across its examples");
      } else {
        System.err.printf("each step runs as one pass over the batch: its widest op has %d rows, and the products split over"
            + " two cores average %.1f million multiply-adds; halves pay from %d rows with several rows per example, or from"
            + " %d rows below %d million (VAEC_BATCH_HALVES=1 runs them anyway)%n", TrainingStep.widestRows(m, batch),
            TrainingStep.meanSplitProduct(m, batch) / 1e6, TrainingStep.AUTO_MIN_ROWS, TrainingStep.AUTO_MIN_ROWS_NARROW,
            TrainingStep.AUTO_MAX_MEAN_SPLIT / 1_000_000);
      }
    }

    // The kernels' warm-up (started by the command while it compiled the model and loaded the
    // data) stops here, before the first step: it never runs inside a timed epoch.
    long w0 = System.nanoTime();
    vaec.runtime.kernels.Warmup.loadLateClasses();   // before the step's code is compiled, whether or not the warm-up ran
    vaec.runtime.kernels.Warmup.stop();
    if (profile != null && vaec.runtime.kernels.Warmup.nanos() >= 0) {
      System.err.printf("kernel warm-up: %.0f ms on its own thread (%.0f ms of CPU), %s; the first step waited %.1f ms for it to stop%n",
          vaec.runtime.kernels.Warmup.nanos() / 1e6, vaec.runtime.kernels.Warmup.cpuNanos() / 1e6,
          vaec.runtime.kernels.Warmup.completed() ? "all its calls made"
              : "stopped after " + vaec.runtime.kernels.Warmup.freshRounds() + " of " + vaec.runtime.kernels.Warmup.FRESH_CALLS
                + " rounds on new arrays and " + vaec.runtime.kernels.Warmup.rounds() + " of " + vaec.runtime.kernels.Warmup.CALLS + " of the kernels", (System.nanoTime() - w0) / 1e6);
    }
    ThreadCpu cpu = profile != null ? new ThreadCpu() : null;
    String cpuLabel = "start-up (from the JVM's start to the first step)";
    while (state.epoch < epochs) {
      long epoch = state.epoch;
      int[] order = batchOrder.epoch(state.noise.derive(ModelState.STREAM_SHUFFLE, epoch));
      long start = state.step - epoch * perEpoch;   // > 0 when resuming in the middle of an epoch
      listener.epochStarted(epoch + 1, epochs, perEpoch, start, batch);
      double[] sums = new double[m.terms().size()];
      double[] stepSums = new double[sums.length];
      double[] running = new double[sums.length];   // handed to the listener every step, reused
      long n = 0;
      if (cpu != null) {
        cpu.print(System.err, cpuLabel);
        cpuLabel = "evaluation and checkpoint before epoch " + (epoch + 2);
      }
      long t0 = System.nanoTime();
      for (long b = start; b < perEpoch; b++) {
        if (stopRequested) {
          CheckpointIO.write(checkpoint, state.toCheckpoint());
          return false;
        }
        long t1 = profile == null ? 0 : System.nanoTime();
        if (profile != null) profile.beginStep();
        System.arraycopy(order, (int) (b * batch), idx, 0, batch);
        java.util.Arrays.fill(stepSums, 0);
        TrainingStep.Fault fault = pass.run(idx, state.step, state.noise, stepSums, profile, afterGather);
        if (fault != null) throw fault(fault.executor(), fault.what(), fault.node());
        long t4 = profile == null ? 0 : System.nanoTime();
        if (!state.optimizer.step(state.params.values(), state.params.grads())) {
          TrainingStep.Fault g = pass.gradientFault();
          throw fault(g.executor(), g.what(), g.node());
        }
        if (profile != null) profile.addOptimizer(System.nanoTime() - t4);
        state.step++;
        for (int t = 0; t < sums.length; t++) sums[t] += stepSums[t] * perRow;
        n++;
        for (int t = 0; t < sums.length; t++) running[t] = sums[t] / n;
        listener.batchDone(b + 1, running);
        if (profile != null) profile.addStep(System.nanoTime() - t1);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (cpu != null) cpu.print(System.err, "epoch " + (epoch + 1) + " trained");
      if (profile != null) StepProfile.memory(System.err, "epoch " + (epoch + 1) + " trained");
      Evaluator.Terms test = evaluator.terms(data.test());
      evaluator.release();   // its buffers for thousands of rows are not needed until the next epoch's end
      if (profile != null) StepProfile.memory(System.err, "epoch " + (epoch + 1) + " evaluated");
      state.epoch++;
      double[] means = new double[sums.length];
      for (int t = 0; t < sums.length; t++) means[t] = n == 0 ? Double.NaN : sums[t] / n;
      state.record("train_loss", means[0]);
      state.record("test_loss", test.loss());
      state.record("epoch_seconds", seconds);
      CheckpointIO.write(checkpoint, state.toCheckpoint());
      listener.epochDone(new TrainingListener.EpochReport(state.epoch, epochs, means, test.loss(), seconds, n * batch / seconds));
    }
    if (profile != null) profile.print(System.err);
    return true;
  }

  /**
   * x = step(x - u) where x holds {@code u.rows()} examples of k consecutive rows each (the
   * objective's samples) and u one row of uniforms per example: all k rows of an example get the
   * same binarized image. At k = 1 it is step(x - u), as before.
   */
  static void binarizeExamples(INDArray x, INDArray u) {
    long examples = u.rows();
    long rows = x.rows();
    if (rows % examples != 0) throw new IllegalArgumentException(rows + " rows are not whole groups of " + examples + " examples");
    long k = rows / examples;
    if (k == 1) x.subi(u);
    else for (long j = 0; j < k; j++) x.get(NDArrayIndex.interval(j, k, rows), NDArrayIndex.all()).subi(u);
    Kernels.step(x, x);
  }

  private java.util.function.Consumer<Executor> afterGather;

  /** The step's executors and gather, made by the first {@link #train} and kept for later calls on this trainer. */
  private TrainingStep step;
  /** The halves mode {@link #step} was made for. */
  private TrainingStep.HalvesMode stepMode;

  /**
   * The training step, made once per trainer (again only when {@link #batchHalves} changed the
   * mode since): a later {@link #train} call that extends the run trains on the same executors,
   * buffers and batch gather as the first, as one longer call would, instead of making a second
   * set of every buffer (the first left to the garbage collector) that the JIT-compiled kernels
   * then meet for the first time (StepAllocationTest.extendedTrainerStepsAllocateNothing).
   */
  private TrainingStep step(CompiledModel m, int batch) {
    if (step == null || stepMode != batchHalves) {
      step = TrainingStep.of(m, batch, state.params, new Batches(data.train()), batchHalves);
      stepMode = batchHalves;
    }
    return step;
  }

  /**
   * VAEC_BATCH_HALVES=0 turns the two-core halves of a step off (one pass over the batch, as
   * before); =1 runs them for every model that allows them; unset, they run where they pay
   * (TrainingStep.AUTO_MIN_ROWS, TrainingStep.AUTO_MAX_MEAN_SPLIT).
   */
  private TrainingStep.HalvesMode batchHalves = TrainingStep.HalvesMode.of(System.getenv("VAEC_BATCH_HALVES"));

  /** Checks a VAEC_BATCH_HALVES setting: unset, blank, 0 or 1; anything else is a user error naming the value. */
  public static void checkBatchHalvesSetting(String setting) {
    TrainingStep.HalvesMode.of(setting);
  }
  // Every VAEC_* setting, as the command line checks them before it reads anything (a trainer made
  // some other way, by a test or an embedding program, gets the same messages).
  { vaec.runtime.EnvironmentSettings.check(System.getenv()); }
  private boolean halved;

  /**
   * Whether a step runs as two halves of the batch on two cores wherever the model allows it
   * (true), or never (false); by default they run where they pay (see VAEC_BATCH_HALVES above). The halves compute the same step up to float
   * summation order; one pass reproduces runs made before the halves existed.
   */
  public void batchHalves(boolean allowed) { this.batchHalves = allowed ? TrainingStep.HalvesMode.ALWAYS : TrainingStep.HalvesMode.NEVER; }

  /**
   * Whether a step of {@code batch} examples of {@code m} runs as two halves when VAEC_BATCH_HALVES
   * is unset: the model allows it (on the direct kernels) and the default rule says it pays. A
   * function of the model and the batch only.
   */
  public static boolean halvesByDefault(CompiledModel m, int batch) {
    return TrainingStep.halvable(m, batch) && TrainingStep.pays(m, batch);
  }

  /** The mean multiply-adds of the products split over two cores that the default rule reads (0 when none). */
  public static double meanSplitProduct(CompiledModel m, int batch) { return TrainingStep.meanSplitProduct(m, batch); }

  /** The executors a step gathers into: 2 when the last {@link #train} ran halves, else 1. */
  public int executorsPerStep() { return halved ? 2 : 1; }

  /** Whether the last {@link #train} ran its steps as two halves of the batch. */
  public boolean halved() { return halved; }

  /**
   * A hook that sees the training executor after each batch is gathered and binarized, before
   * its forward pass (tests check the rows an objective's samples get).
   */
  public void afterGather(java.util.function.Consumer<Executor> hook) { this.afterGather = hook; }

  private TrainingFault fault(Executor ex, String what, Node bad) {
    String where = bad == null || bad.origin().line() == 0 ? "in the objective"
        : "first at " + bad.origin().file() + ":" + bad.origin().line() + ": " + bad.origin().text().strip();
    return new TrainingFault("training stopped at step " + (state.step + 1) + " (epoch " + (state.epoch + 1) + "): a " + what
        + " became NaN or infinite, " + where + " [" + (bad == null ? "?" : bad.label()) + "]"
        + (java.nio.file.Files.exists(checkpoint) ? "\nthe last good checkpoint is kept at " + checkpoint
            : "\nno checkpoint of this run was written yet (none completed an epoch)")
        + "\ntry a smaller learning rate, or bound the value (softplus or exp of a clipped value for scales)");
  }
}
