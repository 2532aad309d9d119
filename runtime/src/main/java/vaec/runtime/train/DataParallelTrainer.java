package vaec.runtime.train;

import java.nio.file.Path;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;

/**
 * Synchronous data-parallel training: the loop of {@link Trainer} (same {@link BatchOrder}, same global
 * batches, same checkpoints after every epoch) with each step's gradient computed elsewhere, as
 * the sum of {@link GradientShard}s over the global batch (a Spark tree aggregation, or shards
 * in this process), and the optimizer applied here to their mean. The checkpoints are the same
 * files as a single-process run's, so either kind of run resumes the other's.
 */
public final class DataParallelTrainer {
  /** Computes the summed gradient of a global batch at the given parameters. */
  public interface GradientService {
    GradientShard.Sum sum(float[] params, long step, long stepsPerEpoch, int[] batchIdx);

    /**
     * Periodic parameter averaging: every worker takes one local step per batch from the given
     * parameters and optimizer state; the sum of the workers' {@link GradientShard.Local}s.
     * Only needed when {@code averageEvery > 1}.
     */
    default GradientShard.Local average(float[] params, java.util.Map<String, float[]> optimizer, long firstStep, long stepsPerEpoch,
        int[][] batches) {
      throw new UnsupportedOperationException("periodic parameter averaging");
    }
  }

  private final ModelState state;
  private final DataSplit data;
  private final Path checkpoint;
  private final TrainingListener listener;
  private final GradientService service;
  private final int averageEvery;
  private final BatchOrder batchOrder;
  private volatile boolean stopRequested;

  public DataParallelTrainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener, GradientService service) {
    this(state, data, checkpoint, listener, service, 1);
  }

  /** @param averageEvery 1: synchronous gradient averaging; N > 1: the workers average their parameters every N local steps */
  public DataParallelTrainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener, GradientService service,
      int averageEvery) {
    this(state, data, checkpoint, listener, service, averageEvery, null);
  }

  /**
   * As above, the epochs visiting the training rows in {@code order}'s order (made for
   * {@code data.train()}); null: the order {@link BatchOrder#of} chooses, when training starts,
   * the order a {@link Trainer} of the same model and data uses.
   */
  public DataParallelTrainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener, GradientService service,
      int averageEvery, BatchOrder order) {
    this.batchOrder = order;
    if (averageEvery < 1) throw new IllegalArgumentException("averageEvery " + averageEvery);
    this.averageEvery = averageEvery;
    if (averageEvery == 1) refuseWorkerState(state.model);
    this.state = state;
    this.data = data;
    this.checkpoint = checkpoint;
    this.listener = listener;
    this.service = service;
  }

  public void requestStop() { stopRequested = true; }

  /** The global batch size a run of {@code m} on {@code rows} training examples uses (as {@link Trainer}). */
  public static int batch(CompiledModel m, int rows) { return m.config().batchFor(rows); }

  /** Trains until {@code epochs} epochs are complete; returns false when stopped early. */
  public boolean train(int epochs) {
    CompiledModel m = state.model;
    BatchOrder batchOrder = this.batchOrder != null ? this.batchOrder : BatchOrder.of(m, data.train());
    int rows = batchOrder.length();
    int batch = batch(m, rows);
    int perEpoch = rows / batch;
    int[] idx = new int[batch];
    Evaluator evaluator = new Evaluator(state);
    int terms = m.terms().size();
    while (state.epoch < epochs) {
      long epoch = state.epoch;
      int[] order = batchOrder.epoch(state.noise.derive(ModelState.STREAM_SHUFFLE, epoch));
      long start = state.step - epoch * perEpoch;
      listener.epochStarted(epoch + 1, epochs, perEpoch, start, batch);
      double[] sums = new double[terms];
      long n = 0;
      long t0 = System.nanoTime();
      for (long b = start; b < perEpoch; b++) {
        if (stopRequested) {
          CheckpointIO.write(checkpoint, state.toCheckpoint());
          return false;
        }
        if (averageEvery > 1) {
          // A round of local steps, never across the end of the epoch (the test evaluation and the checkpoint).
          int steps = (int) Math.min(averageEvery, perEpoch - b);
          int[][] batches = new int[steps][];
          for (int j = 0; j < steps; j++) batches[j] = java.util.Arrays.copyOfRange(order, (int) ((b + j) * batch), (int) ((b + j + 1) * batch));
          GradientShard.Local r = service.average(state.params.toFloatArray(), state.optimizer.state(), state.step, perEpoch, batches);
          String where = " in steps " + (state.step + 1) + " to " + (state.step + steps) + " (epoch " + (state.epoch + 1) + ")";
          if (r.fault() != null) throw new TrainingFault("training stopped" + where + ": a " + r.fault() + " became NaN or infinite on a worker"
              + "\ntry a smaller learning rate, or bound the value (softplus or exp of a clipped value for scales)");
          if (r.rows() != (long) batch * m.samples()) throw new IllegalStateException("workers averaged " + r.rows() + " rows of a batch of " + batch);
          float[] p = r.params();
          for (int i = 0; i < p.length; i++) p[i] /= r.rows();
          java.util.Map<String, float[]> opt = new java.util.LinkedHashMap<>();
          for (var e : r.optimizer().entrySet()) {
            float[] a = e.getValue();
            if (a.length == p.length) for (int i = 0; i < a.length; i++) a[i] /= r.rows();
            opt.put(e.getKey(), a);
          }
          state.params.load(p);
          state.optimizer.loadState(opt);
          state.step += steps;
          for (int t = 0; t < terms; t++) sums[t] += r.termSums()[t] / r.rows();
          n += steps;
          b += steps - 1;
          double[] running = new double[terms];
          for (int t = 0; t < terms; t++) running[t] = sums[t] / n;
          listener.batchDone(b + 1, running);
          continue;
        }
        System.arraycopy(order, (int) (b * batch), idx, 0, batch);
        GradientShard.Sum s = service.sum(state.params.toFloatArray(), state.step, perEpoch, idx.clone());
        String where = " at step " + (state.step + 1) + " (epoch " + (state.epoch + 1) + ")";
        if (s.fault() != null) throw new TrainingFault("training stopped" + where + ": a " + s.fault() + " became NaN or infinite on a worker"
            + "\ntry a smaller learning rate, or bound the value (softplus or exp of a clipped value for scales)");
        if (s.rows() != (long) batch * m.samples()) throw new IllegalStateException("workers summed " + s.rows() + " rows of a batch of " + batch);
        double perRow = 1.0 / s.rows();
        float[] g = s.gradient();
        for (int i = 0; i < g.length; i++) g[i] *= (float) perRow;
        state.params.grads().assign(org.nd4j.linalg.factory.Nd4j.createFromArray(g).castTo(state.params.grads().dataType()));
        if (!state.optimizer.step(state.params.values(), state.params.grads())) {
          throw new TrainingFault("training stopped" + where + ": the averaged gradient became NaN or infinite"
              + "\ntry a smaller learning rate, or bound the value (softplus or exp of a clipped value for scales)");
        }
        state.step++;
        for (int t = 0; t < terms; t++) sums[t] += s.termSums()[t] * perRow;
        n++;
        double[] running = new double[terms];
        for (int t = 0; t < terms; t++) running[t] = sums[t] / n;
        listener.batchDone(b + 1, running);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Evaluator.Terms test = evaluator.terms(data.test());
      state.epoch++;
      double[] means = new double[terms];
      for (int t = 0; t < terms; t++) means[t] = n == 0 ? Double.NaN : sums[t] / n;
      state.record("train_loss", means[0]);
      state.record("test_loss", test.loss());
      state.record("epoch_seconds", seconds);
      CheckpointIO.write(checkpoint, state.toCheckpoint());
      listener.epochDone(new TrainingListener.EpochReport(state.epoch, epochs, means, test.loss(), seconds, n * batch / seconds));
    }
    return true;
  }

  /**
   * A running-average baseline keeps its state in a parameter that the op itself updates on the
   * executor that runs it; with synchronous gradients the workers' updates never reach the driver
   * (only gradients do), so such a model would train with a frozen baseline. Periodic averaging
   * carries it (the workers' parameters, state included, are averaged).
   */
  static void refuseWorkerState(CompiledModel m) {
    for (vaec.runtime.graph.Graph g : java.util.Arrays.asList(m.train(), m.controlVariates())) {
      if (g == null) continue;
      for (vaec.runtime.graph.Node n : g.nodes()) {
        if (n.kind() == vaec.runtime.graph.Node.Kind.OP && n.op() instanceof vaec.runtime.ops.RunningBaseline) {
          var o = n.origin();
          throw new vaec.runtime.UserError((o.line() > 0 ? o.file() + ":" + o.line() + ":" + o.column() + ": " : "")
              + "this model's running-average baseline is updated on the workers, which synchronous data-parallel training "
              + "does not carry back; use periodic parameter averaging (--spark-average-every N, N > 1) or train without --spark");
        }
      }
    }
  }

  /** Shards of a global batch of {@code batch} examples over {@code parts} workers: part p gets [offsets[p], offsets[p+1]). */
  public static int[] split(int batch, int parts) {
    int[] o = new int[parts + 1];
    for (int p = 0; p <= parts; p++) o[p] = (int) ((long) batch * p / parts);
    return o;
  }
}
