package vaec.runtime.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataInput;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.ParamInit;
import vaec.runtime.optim.Optimizer;
import vaec.runtime.optim.OptimizerSpec;
import vaec.runtime.rng.NoiseSource;

/**
 * One worker's share of a data-parallel training step: the examples {@code [offset, offset +
 * size)} of each global batch, forward and backward through the runtime's own
 * {@link TrainingPass}, returning the gradient <em>sum</em> over its rows (not the mean), so that
 * the shares add up to the single-process batch gradient times the batch's row count.
 *
 * <p>Noise: a row's noise is the noise it would get in a single process. Every noise tensor of the
 * global batch (graph noise per node, dynamic binarization per input) is drawn whole from the same
 * (seed, step, stream) generator as {@link Trainer}, and the shard keeps its rows. That costs
 * drawing the global batch's noise on every worker (cheap next to the forward and backward pass)
 * and makes the result independent of how the batch is split: synchronous data-parallel training
 * follows the single-process trajectory up to float summation order.
 */
public final class GradientShard {
  /** A shard's contribution: gradient sum over its rows, per-term value sums, its row count. */
  public record Sum(float[] gradient, double[] termSums, long rows, String fault) implements Serializable {
    /** Adds {@code o} into a new sum (the combine step of a tree aggregation). */
    public Sum plus(Sum o) {
      if (o == null || o.rows == 0 && o.fault == null) return this;
      if (rows == 0 && fault == null) return o;
      float[] g = gradient.clone();
      for (int i = 0; i < g.length; i++) g[i] += o.gradient[i];
      double[] t = termSums.clone();
      for (int i = 0; i < t.length; i++) t[i] += o.termSums[i];
      return new Sum(g, t, rows + o.rows, fault != null ? fault : o.fault);
    }

    public static Sum empty() { return new Sum(new float[0], new double[0], 0, null); }
  }

  private final CompiledModel model;
  private final Batches train;
  private final int globalBatch, offset, size, k;
  private final ParameterStore params;
  private final TrainingPass pass;
  private final NoiseSource noise;
  private final List<Node> termNodes;
  private final List<INDArray> binarized = new ArrayList<>();
  private final int[] rowsIdx;
  private long stepsPerEpoch = -1;
  private Optimizer optimizer;

  /**
   * @param globalBatch examples per global batch; {@code offset} and {@code size} select this
   *     shard's examples of it (each example's {@code k} objective samples stay together)
   */
  public GradientShard(CompiledModel m, BoundData trainData, int globalBatch, int offset, int size, long seed, boolean dynamicBinarization) {
    if (size <= 0 || offset < 0 || offset + size > globalBatch) {
      throw new IllegalArgumentException("shard [" + offset + ", " + (offset + size) + ") of a batch of " + globalBatch);
    }
    this.model = m;
    this.train = new Batches(trainData);
    this.globalBatch = globalBatch;
    this.offset = offset;
    this.size = size;
    this.k = m.samples();
    List<ParamEntry> layout = new ArrayList<>();
    for (ParamInit p : m.params()) layout.add(new ParamEntry(p.name(), p.shape()));
    this.params = new ParameterStore(layout, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    this.pass = new TrainingPass(m, size * k, params);
    this.noise = new NoiseSource(seed);
    Executor ex = pass.main();
    train.requireInputs(ex, m.data().stream().map(DataInput::name).toList());
    if (dynamicBinarization) {
      for (DataInput d : m.data()) {
        if (!d.binarizable()) continue;
        binarized.add(ex.graph().inputs().containsKey(d.name()) ? ex.input(d.name()) : null);
      }
    }
    this.termNodes = m.terms().stream().map(t -> m.train().output(t.output())).toList();
    this.rowsIdx = new int[size * k];
  }

  public int size() { return size; }

  /**
   * The gradient sum of this shard's rows of the global batch {@code batchIdx} (example indices
   * into the training set, the whole global batch) at parameters {@code flat} and step {@code step}.
   */
  public Sum compute(float[] flat, long step, long perEpoch, int[] batchIdx) {
    params.load(flat);
    double[] sums = new double[termNodes.size()];
    String fault = pass(step, perEpoch, batchIdx, sums);
    if ("value".equals(fault)) return new Sum(new float[(int) params.size()], sums, (long) size * k, fault);
    // The executor's gradient is of the mean over its rows; the shard returns the sum.
    float[] g = params.grads().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
    float rows = size * k;
    for (int i = 0; i < g.length; i++) g[i] *= rows;
    return new Sum(g, sums, (long) size * k, fault);
  }

  /**
   * A worker's result of a round of periodic parameter averaging: its parameters and optimizer
   * moments after its local steps, each multiplied by its row count (so that sums of these divided
   * by the summed rows are the row-weighted averages), the per-term value sums of all its steps.
   * Optimizer state entries that are not per-parameter vectors (Adam's step count) are the same on
   * every worker and are kept, not summed.
   */
  public record Local(float[] params, Map<String, float[]> optimizer, double[] termSums, long rows, String fault) implements Serializable {
    public Local plus(Local o) {
      if (o == null || o.rows == 0 && o.fault == null) return this;
      if (rows == 0 && fault == null) return o;
      Map<String, float[]> opt = new LinkedHashMap<>();
      for (var e : optimizer.entrySet()) {
        float[] a = e.getValue(), b = o.optimizer.get(e.getKey());
        if (a.length != params.length || b == null) opt.put(e.getKey(), a);
        else {
          float[] c = a.clone();
          for (int i = 0; i < c.length; i++) c[i] += b[i];
          opt.put(e.getKey(), c);
        }
      }
      float[] p = params.clone();
      for (int i = 0; i < p.length; i++) p[i] += o.params[i];
      double[] t = termSums.clone();
      for (int i = 0; i < t.length; i++) t[i] += o.termSums[i];
      return new Local(p, opt, t, rows + o.rows, fault != null ? fault : o.fault);
    }

    public static Local empty() { return new Local(new float[0], Map.of(), new double[0], 0, null); }
  }

  /**
   * Periodic parameter averaging: from the averaged parameters and optimizer state, takes one
   * local optimizer step per batch of {@code batches} (steps {@code firstStep}, {@code firstStep + 1},
   * ...) on this shard's rows of each, and returns the row-weighted result ({@link Local}).
   */
  public Local localSteps(float[] flat, Map<String, float[]> optimizerState, OptimizerSpec spec, long firstStep, long perEpoch, int[][] batches) {
    if (optimizer == null) optimizer = spec.create(params.size());   // one run, one optimizer spec
    params.load(flat);
    optimizer.loadState(optimizerState);
    double[] sums = new double[termNodes.size()];
    float rows = size * k;
    for (int j = 0; j < batches.length; j++) {
      String fault = pass(firstStep + j, perEpoch, batches[j], sums);
      if (fault != null || !optimizer.step(params.values(), params.grads())) {
        return new Local(new float[(int) params.size()], Map.of(), sums, (long) size * k, fault != null ? fault : "gradient");
      }
    }
    float[] p = params.toFloatArray();
    for (int i = 0; i < p.length; i++) p[i] *= rows;
    Map<String, float[]> opt = new LinkedHashMap<>();
    for (var e : optimizer.state().entrySet()) {
      float[] a = e.getValue();
      if (a.length == p.length) for (int i = 0; i < a.length; i++) a[i] *= rows;
      opt.put(e.getKey(), a);
    }
    return new Local(p, opt, sums, (long) size * k, null);
  }

  /** One forward and backward pass on this shard's rows; adds the terms' value sums; a fault's name or null. */
  private String pass(long step, long perEpoch, int[] batchIdx, double[] sums) {
    if (batchIdx.length != globalBatch) throw new IllegalArgumentException("batch of " + batchIdx.length + ", expected " + globalBatch);
    if (perEpoch != stepsPerEpoch) {
      pass.beginRun(perEpoch);
      stepsPerEpoch = perEpoch;
    }
    Executor ex = pass.main();
    for (int i = 0; i < size; i++) for (int j = 0; j < k; j++) rowsIdx[i * k + j] = batchIdx[offset + i];
    train.gather(rowsIdx, ex);
    for (int v = 0; v < binarized.size(); v++) {
      INDArray x = binarized.get(v);
      if (x == null) continue;
      // one draw per example, shared by its k rows (as Trainer)
      INDArray u = globalSlice(x, NoiseKind.UNIFORM, step, -1 - v, 1, 1);
      Trainer.binarizeExamples(x, u);
    }
    pass.drawNoise(noise, step);   // also tells the ops the step; the noise is then replaced by the global batch's rows
    for (Executor e : pass.executors()) {
      for (Node n : e.graph().nodes()) {
        if (n.kind() == Node.Kind.NOISE) {
          INDArray target = e.value(n);
          target.assign(globalSlice(target, n.noiseKind(), step, n.noiseKey(), k, Math.max(1, n.rows())));
        }
      }
    }
    pass.forward();
    double loss = ex.value(termNodes.get(0)).sumNumber().doubleValue();
    sums[0] += loss;
    for (int t = 1; t < sums.length; t++) sums[t] += ex.value(termNodes.get(t)).sumNumber().doubleValue();
    if (!Double.isFinite(loss)) return "value";
    pass.backward();
    Node bad = pass.firstNonFiniteGradient();
    return bad == null ? null : "gradient [" + bad.label() + "]";
  }

  /**
   * Rows of this shard out of the global batch's noise tensor for (step, stream), {@code perExample}
   * rows per example. A noise node stacked along the rows ({@code blocks} blocks of the batch's
   * rows: the branches of an enumerated latent) takes this shard's rows out of every block.
   */
  private INDArray globalSlice(INDArray shardShaped, NoiseKind kind, long step, long stream, int perExample, int blocks) {
    long[] shape = shardShaped.shape().clone();
    long perBlock = (long) globalBatch * perExample;
    shape[0] = perBlock * blocks;
    INDArray all = Nd4j.create(shardShaped.dataType(), shape);
    noise.fill(all, kind, step, stream);
    if (blocks == 1) return all.get(NDArrayIndex.interval((long) offset * perExample, (long) (offset + size) * perExample));
    INDArray mine = Nd4j.create(shardShaped.dataType(), shardShaped.shape());
    long rows = (long) size * perExample;
    for (int j = 0; j < blocks; j++) {
      mine.get(NDArrayIndex.interval(j * rows, (j + 1) * rows), NDArrayIndex.all())
          .assign(all.get(NDArrayIndex.interval(j * perBlock + (long) offset * perExample, j * perBlock + (long) (offset + size) * perExample), NDArrayIndex.all()));
    }
    return mine;
  }

  CompiledModel model() { return model; }
}
