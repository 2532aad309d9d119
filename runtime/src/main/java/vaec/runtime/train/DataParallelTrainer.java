package vaec.runtime.train;

import java.nio.file.Path;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;

/**
 * Synchronous data-parallel training: the loop of {@link Trainer} (same shuffles, same global
 * batches, same checkpoints after every epoch) with each step's gradient computed elsewhere, as
 * the sum of {@link GradientShard}s over the global batch (a Spark tree aggregation, or shards
 * in this process), and the optimizer applied here to their mean. The checkpoints are the same
 * files as a single-process run's, so either kind of run resumes the other's.
 */
public final class DataParallelTrainer {
  /** Computes the summed gradient of a global batch at the given parameters. */
  public interface GradientService {
    GradientShard.Sum sum(float[] params, long step, long stepsPerEpoch, int[] batchIdx);
  }

  private final ModelState state;
  private final DataSplit data;
  private final Path checkpoint;
  private final TrainingListener listener;
  private final GradientService service;
  private volatile boolean stopRequested;

  public DataParallelTrainer(ModelState state, DataSplit data, Path checkpoint, TrainingListener listener, GradientService service) {
    this.state = state;
    this.data = data;
    this.checkpoint = checkpoint;
    this.listener = listener;
    this.service = service;
  }

  public void requestStop() { stopRequested = true; }

  /** The global batch size a run of {@code m} on {@code rows} training examples uses (as {@link Trainer}). */
  public static int batch(CompiledModel m, int rows) { return Math.min(m.config().batch(), rows); }

  /** Trains until {@code epochs} epochs are complete; returns false when stopped early. */
  public boolean train(int epochs) {
    CompiledModel m = state.model;
    int rows = data.train().rows();
    int batch = batch(m, rows);
    int perEpoch = rows / batch;
    int[] idx = new int[batch];
    Evaluator evaluator = new Evaluator(state);
    int terms = m.terms().size();
    while (state.epoch < epochs) {
      long epoch = state.epoch;
      int[] order = Trainer.permutation(rows, state.noise.derive(ModelState.STREAM_SHUFFLE, epoch));
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

  /** Shards of a global batch of {@code batch} examples over {@code parts} workers: part p gets [offsets[p], offsets[p+1]). */
  public static int[] split(int batch, int parts) {
    int[] o = new int[parts + 1];
    for (int p = 0; p <= parts; p++) o[p] = (int) ((long) batch * p / parts);
    return o;
  }
}
