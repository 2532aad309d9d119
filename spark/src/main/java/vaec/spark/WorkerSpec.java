package vaec.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.GradientShard;

/**
 * What an executor needs to build its share of every step: the model's source text (it is
 * recompiled there, so nothing of the compiled graph is serialized), the data settings (each
 * executor reads the training set from the same path, which on a cluster must be a shared file
 * system), the global batch and how it is split.
 */
record WorkerSpec(String sourceName, String sourceText, String objective, String dataset, String testDataset, boolean binarize, long seed,
    int batch, int partitions, String optimizer, double lr, double beta1, double beta2, double eps) implements Serializable {

  /** The driver's optimizer settings (after command-line overrides), for periodic averaging's local steps. */
  vaec.runtime.optim.OptimizerSpec optimizerSpec() { return new vaec.runtime.optim.OptimizerSpec(optimizer, lr, beta1, beta2, eps); }

  /** One shard per (spec, partition) per executor JVM, built on first use and kept for the run. */
  private static final Map<String, GradientShard> SHARDS = new ConcurrentHashMap<>();

  GradientShard shard(int partition) {
    return SHARDS.computeIfAbsent(key(partition), k -> build(partition));
  }

  private String key(int partition) {
    return Integer.toHexString(hashCode()) + "/" + sourceText.hashCode() + "/" + partition;
  }

  private GradientShard build(int partition) {
    Compiler.Compilation c = objective == null ? Compiler.compile(new SourceFile(sourceName, sourceText))
        : Compiler.compile(new SourceFile(sourceName, sourceText), new SourceFile("--objective", objective));
    CompiledModel m = c.compiled();
    DataSplit data = DataLoader.load(m.file(), m.data(), new DataLoader.Request(dataset, testDataset, binarize, seed));
    int[] o = vaec.runtime.train.DataParallelTrainer.split(batch, partitions);
    return new GradientShard(m, data.train(), batch, o[partition], o[partition + 1] - o[partition], seed, binarize);
  }

  /** Forgets this run's shards in this JVM (the driver's, in local mode). */
  void release() {
    for (int p = 0; p < partitions; p++) SHARDS.remove(key(p));
  }
}
