package vaec.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.Checkpoint;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ParamInit;
import vaec.runtime.optim.Optimizer;
import vaec.runtime.rng.NoiseSource;

/**
 * A model's trainable state: parameters, optimizer, progress counters and loss history. Made
 * fresh from a seed, or restored from a checkpoint after checking it belongs to this model.
 */
public final class ModelState {
  /** Host-side generator streams, kept apart so that adding one never shifts another. */
  static final long STREAM_INIT = 1, STREAM_SHUFFLE = 2, STREAM_EVAL = 3;

  final CompiledModel model;
  final ParameterStore params;
  final Optimizer optimizer;
  final NoiseSource noise;
  long epoch;
  long step;
  final Map<String, List<Double>> curves = new LinkedHashMap<>();

  private ModelState(CompiledModel model, ParameterStore params, Optimizer optimizer, NoiseSource noise) {
    this.model = model;
    this.params = params;
    this.optimizer = optimizer;
    this.noise = noise;
  }

  public static ModelState fresh(CompiledModel model) {
    return fresh(model, Integer.MAX_VALUE);
  }

  /**
   * A fresh state whose memory check counts the activations of the batch training runs on
   * {@code trainRows} examples (the batch setting capped at them); {@link #fresh(CompiledModel)}
   * counts the batch setting as written.
   */
  public static ModelState fresh(CompiledModel model, int trainRows) {
    ModelState s = empty(model, model.config().seed(), vaec.runtime.model.MemoryEstimate.of(model, trainRows));
    SplittableRandom r = new SplittableRandom(s.noise.derive(STREAM_INIT, 0));
    float[] flat = new float[(int) s.params.values().length()];
    int off = 0;
    for (ParamInit p : model.params()) {
      long n = 1;
      for (long d : p.shape()) n *= d;
      for (long i = 0; i < n; i++) {
        flat[off++] = (float) (p.kind() == ParamInit.Kind.CONSTANT ? p.value() : (2 * r.nextDouble() - 1) * p.value());
      }
    }
    s.params.load(flat);
    return s;
  }

  private static ModelState empty(CompiledModel model, long seed, vaec.runtime.model.MemoryEstimate needs) {
    // Before anything is allocated: a model too large for memory is a message, not a native crash.
    needs.require();
    List<ParamEntry> layout = new ArrayList<>();
    for (ParamInit p : model.params()) layout.add(new ParamEntry(p.name(), p.shape()));
    ParameterStore store = new ParameterStore(layout, DataType.FLOAT);
    Optimizer opt = model.config().optimizer().create(store.values().length());
    return new ModelState(model, store, opt, new NoiseSource(seed));
  }

  /** Restores a checkpoint; refuses one written for another model source or parameter layout. */
  public static ModelState restore(CompiledModel model, Checkpoint c, String checkpointPath) {
    return restore(model, c, checkpointPath, Integer.MAX_VALUE);
  }

  /** As {@link #restore(CompiledModel, Checkpoint, String)}, training on {@code trainRows} examples (see {@link #fresh(CompiledModel, int)}). */
  public static ModelState restore(CompiledModel model, Checkpoint c, String checkpointPath, int trainRows) {
    return restore(model, c, checkpointPath, vaec.runtime.model.MemoryEstimate.of(model, trainRows));
  }

  /**
   * Restores a checkpoint for evaluation, sampling or encoding, which train nothing: the memory
   * check counts one evaluation pass ({@link Evaluator#rowsPerPass}) instead of a training batch.
   */
  public static ModelState restoreForEvaluation(CompiledModel model, Checkpoint c, String checkpointPath) {
    return restore(model, c, checkpointPath, vaec.runtime.model.MemoryEstimate.forEvaluation(model,
        Evaluator.evaluationGraphs(model), Evaluator.rowsPerPass(model)));
  }

  private static ModelState restore(CompiledModel model, Checkpoint c, String checkpointPath, vaec.runtime.model.MemoryEstimate needs) {
    if (!c.modelHash().equals(model.sourceHash())) {
      throw new UserError(checkpointPath + " was written for a different model source (" + c.modelFile()
          + ", hash " + c.modelHash().substring(0, 12) + ") than " + model.file() + " (hash " + model.sourceHash().substring(0, 12)
          + "); use the model file it was trained with, or start a new run in another --out folder");
    }
    ModelState s = empty(model, c.seed(), needs);
    List<ParamEntry> expected = s.params.layout();
    if (expected.size() != c.layout().size()) throw new UserError(checkpointPath + " holds another parameter layout than the model");
    for (int i = 0; i < expected.size(); i++) {
      if (!expected.get(i).name().equals(c.layout().get(i).name())
          || !java.util.Arrays.equals(expected.get(i).shape(), c.layout().get(i).shape())) {
        throw new UserError(checkpointPath + ": parameter " + c.layout().get(i).name() + " does not match the model's "
            + expected.get(i).name());
      }
    }
    if (!c.optimizer().equals(s.optimizer.name())) {
      throw new UserError(checkpointPath + " was trained with " + c.optimizer() + " but the model now asks for " + s.optimizer.name());
    }
    requireValues(c, expected, s.params.values().length(), checkpointPath);
    s.params.load(c.params());
    s.optimizer.loadState(c.optimizerState());
    s.epoch = c.epoch();
    s.step = c.step();
    c.curves().forEach((k, v) -> {
      List<Double> l = new ArrayList<>();
      for (double d : v) l.add(d);
      s.curves.put(k, l);
    });
    return s;
  }

  /**
   * The checkpoint's values fit its layout and are all finite. A file whose checksum matches can
   * still hold other counts or NaN (written by another tool, or by hand): the first would stop the
   * parameter store with an internal error, the second would make every number evaluated from it
   * NaN without a word.
   */
  private static void requireValues(Checkpoint c, List<ParamEntry> layout, long total, String checkpointPath) {
    // total is the store's length: the layout's sizes summed, and 1 for a model without parameters
    // (ParameterStore keeps one placeholder value then).
    if (c.params().length != total) {
      throw new UserError(checkpointPath + " holds " + c.params().length + " parameter values, but its layout of "
          + layout.size() + " tensors takes " + total + "; the file is damaged");
    }
    int off = 0;
    for (ParamEntry p : layout) {
      for (int i = 0; i < p.size(); i++) {
        float v = c.params()[off + i];
        if (!Float.isFinite(v)) {
          throw new UserError(checkpointPath + ": parameter " + p.name() + " " + java.util.Arrays.toString(p.shape())
              + " holds " + v + " at flat index " + i + "; a checkpoint's values must be finite numbers (the file is damaged,"
              + " or was not written by vaec)");
        }
      }
      off += (int) p.size();
    }
    // The optimizer's per-parameter vectors (Adam's moments); a short entry such as Adam's step
    // count is stored as raw bits, not as a number, and is left to the optimizer.
    for (Map.Entry<String, float[]> e : c.optimizerState().entrySet()) {
      float[] a = e.getValue();
      if (a.length != total) continue;
      for (int i = 0; i < a.length; i++) {
        if (!Float.isFinite(a[i])) {
          throw new UserError(checkpointPath + ": the optimizer's state '" + e.getKey() + "' holds " + a[i] + " at index " + i
              + "; a checkpoint's values must be finite numbers (the file is damaged, or was not written by vaec)");
        }
      }
    }
  }

  public Checkpoint toCheckpoint() {
    Map<String, double[]> cv = new LinkedHashMap<>();
    curves.forEach((k, v) -> cv.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    return new Checkpoint(model.sourceHash(), model.file(), model.config().objective(), epoch, step, noise.seed(), params.layout(), params.toFloatArray(),
        optimizer.name(), optimizer.state(), cv);
  }

  public ParameterStore params() { return params; }
  public long epoch() { return epoch; }
  public long step() { return step; }
  public NoiseSource noise() { return noise; }
  public CompiledModel model() { return model; }

  public Map<String, List<Double>> curves() { return curves; }

  void record(String curve, double v) {
    curves.computeIfAbsent(curve, k -> new ArrayList<>()).add(v);
  }
}
