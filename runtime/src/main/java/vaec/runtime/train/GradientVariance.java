package vaec.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.BoundData;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ParamInit;
import vaec.runtime.optim.Adam;
import vaec.runtime.rng.NoiseSource;

/**
 * Measures a gradient estimator's mean and variance at fixed model parameters: the
 * gradient of the training loss with respect to chosen parameters, over many steps of fresh
 * batches and fresh noise. Every estimator compared sees the same batches and the same seeds.
 * Estimator state (a running-average baseline, an NVIL network) is first warmed up for as many
 * steps with the model parameters held still, so that a baseline is judged trained, not fresh.
 */
public final class GradientVariance {
  private GradientVariance() {}

  /** Over the measured parameters: squared norm of the mean gradient, and the summed per-coordinate variance. */
  public record Result(double meanNormSquared, double totalVariance, long coordinates) {}

  public static Result measure(CompiledModel m, Map<String, float[]> start, BoundData data, int batch, int steps, long seed,
                               Predicate<String> measured, Predicate<String> estimatorState) {
    return measure(m, start, data, batch, steps, seed, measured, estimatorState, BatchOrder.of(m, data));
  }

  /**
   * As above, with the batches cut from {@code order} (made for {@code data}), asked for one
   * epoch's order with {@code seed}; the steps cycle through that epoch's batches.
   */
  public static Result measure(CompiledModel m, Map<String, float[]> start, BoundData data, int batch, int steps, long seed,
                               Predicate<String> measured, Predicate<String> estimatorState, BatchOrder order) {
    List<ParamEntry> layout = new ArrayList<>();
    for (ParamInit p : m.params()) layout.add(new ParamEntry(p.name(), p.shape()));
    ParameterStore store = new ParameterStore(layout, DataType.FLOAT);
    ModelState fresh = ModelState.fresh(m, data.rows());
    for (ParamEntry e : layout) {
      float[] v = start.get(e.name());
      INDArray target = store.value(e.name());
      if (v != null && v.length == target.length()) target.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(v).reshape(target.shape()));
      else target.assign(fresh.params().value(e.name()));
    }
    int b = Math.min(batch, order.length());
    int samples = m.samples();   // the objective's samples per example: each example fills that many consecutive rows, as in training
    TrainingPass ex = new TrainingPass(m, b * samples, store);
    ex.beginRun(order.length() / b);
    Batches batches = new Batches(data);
    NoiseSource noise = new NoiseSource(seed);
    int[] rowsInOrder = order.epoch(seed);
    int[] idx = new int[b];
    int[] rows = new int[b * samples];

    // Warm-up: only estimator state moves (running averages update themselves after each step).
    Adam warm = new Adam(store.values().length(), DataType.FLOAT, 1e-3, 0.9, 0.999, 1e-8);
    INDArray frozen = store.values().dup();
    List<ParamEntry> stateEntries = layout.stream().filter(e -> estimatorState.test(e.name())).toList();
    for (int t = 0; t < steps && !stateEntries.isEmpty(); t++) {
      step(ex, batches, rowsInOrder, idx, rows, t, noise);
      warm.step(store.values(), store.grads());
      for (ParamEntry e : layout) {
        if (!estimatorState.test(e.name())) store.value(e.name()).assign(frozen.get(
            org.nd4j.linalg.indexing.NDArrayIndex.interval(offset(layout, e), offset(layout, e) + e.size())).reshape(e.shape()));
      }
    }

    List<String> names = layout.stream().map(ParamEntry::name).filter(measured).toList();
    long n = 0;
    for (String name : names) n += store.grad(name).length();
    double[] sum = new double[(int) n];
    double[] sumSq = new double[(int) n];
    for (int t = 0; t < steps; t++) {
      step(ex, batches, rowsInOrder, idx, rows, steps + t, noise);
      int k = 0;
      for (String name : names) {
        for (double gv : store.grad(name).dup().reshape(-1).toDoubleVector()) {
          sum[k] += gv;
          sumSq[k] += gv * gv;
          k++;
        }
      }
    }
    double meanNorm = 0;
    double variance = 0;
    for (int k = 0; k < n; k++) {
      double mean = sum[k] / steps;
      meanNorm += mean * mean;
      variance += Math.max(0, sumSq[k] / steps - mean * mean);
    }
    return new Result(meanNorm, variance, n);
  }

  private static long offset(List<ParamEntry> layout, ParamEntry target) {
    long off = 0;
    for (ParamEntry e : layout) {
      if (e == target) return off;
      off += e.size();
    }
    throw new IllegalArgumentException(target.name());
  }

  private static void step(TrainingPass ex, Batches batches, int[] order, int[] idx, int[] rows, int t, NoiseSource noise) {
    int b = idx.length;
    int k = rows.length / b;
    int perEpoch = order.length / b;
    System.arraycopy(order, (t % perEpoch) * b, idx, 0, b);
    for (int i = 0; i < b; i++) for (int j = 0; j < k; j++) rows[i * k + j] = idx[i];
    batches.gather(rows, ex.main());
    ex.drawNoise(noise, t);
    ex.forward();
    ex.backward();
  }

  /** Names of parameters in a set, for callers building predicates. */
  public static Predicate<String> in(Set<String> names) { return names::contains; }
}
