package vaec.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import vaec.cli.DistributedTraining;
import vaec.runtime.UserError;
import vaec.runtime.train.DataParallelTrainer;
import vaec.runtime.train.GradientShard;

/**
 * Synchronous data-parallel training on Spark. Every step the driver broadcasts the parameters
 * and the global batch's example indices; each of the {@code partitions} tasks computes the
 * gradient sum of its contiguous share of the batch ({@link GradientShard}, the runtime's own
 * executor); {@code treeAggregate} adds the sums; the driver applies the optimizer and writes the
 * same checkpoints as a single-process run. A failed task is recomputed by Spark from the same
 * inputs, so a retry gives the same sum ({@link TaskFaults} is the tests' way to fail one).
 */
public final class SparkTrainer implements DistributedTraining {
  private volatile DataParallelTrainer running;

  @Override
  public boolean train(Job job) {
    SparkConf conf = new SparkConf().setAppName("vaec " + job.state().model().name());
    // "--spark submit": the master (and the rest) come from spark-submit's configuration.
    if (job.master() != null && !job.master().isEmpty() && !job.master().equals("submit")) conf.setMaster(job.master());
    else if (!conf.contains("spark.master")) {
      throw new UserError("--spark submit: no Spark master is configured; run through spark-submit --master ..., or give the master: --spark local[2]");
    }
    if (!conf.contains("spark.ui.enabled")) conf.set("spark.ui.enabled", "false");
    JavaSparkContext sc;
    try {
      sc = new JavaSparkContext(conf);
    } catch (RuntimeException e) {
      throw new UserError("--spark " + job.master() + ": Spark did not start: " + e.getMessage());
    }
    try {
      sc.setLogLevel("WARN");
      return train(sc, job);
    } finally {
      sc.stop();
    }
  }

  /** Trains on an existing context (tests, spark-submit applications of their own). */
  public boolean train(JavaSparkContext sc, Job job) {
    var cfg = job.config();
    int parts = job.partitions() > 0 ? job.partitions() : sc.defaultParallelism();
    int batch = DataParallelTrainer.batch(job.state().model(), job.data().train().rows());
    if (parts > batch) parts = batch;   // every share holds at least one example
    WorkerSpec spec = new WorkerSpec(job.sourceName(), job.sourceText(), job.objective(), cfg.dataset(), cfg.testDataset(),
        cfg.dynamicBinarization(), cfg.seed(), batch, parts, cfg.optimizer().name(), cfg.optimizer().lr(), cfg.optimizer().beta1(),
        cfg.optimizer().beta2(), cfg.optimizer().eps());
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < parts; p++) ids.add(p);
    JavaRDD<Integer> shards = sc.parallelize(ids, parts);
    int depth = parts > 4 ? 3 : 2;
    DataParallelTrainer.GradientService service = new DataParallelTrainer.GradientService() {
      @Override
      public GradientShard.Sum sum(float[] params, long step, long perEpoch, int[] idx) {
        Broadcast<float[]> bp = sc.broadcast(params);
        try {
          return shards.treeAggregate(GradientShard.Sum.empty(),
              (acc, p) -> {
                TaskFaults.maybeFail(step, p);
                return acc.plus(spec.shard(p).compute(bp.value(), step, perEpoch, idx));
              },
              GradientShard.Sum::plus, depth);
        } finally {
          bp.destroy();
        }
      }

      @Override
      public GradientShard.Local average(float[] params, Map<String, float[]> optimizer, long firstStep, long perEpoch, int[][] batches) {
        Broadcast<float[]> bp = sc.broadcast(params);
        Broadcast<Map<String, float[]>> bo = sc.broadcast(new LinkedHashMap<>(optimizer));
        try {
          return shards.treeAggregate(GradientShard.Local.empty(),
              (acc, p) -> acc.plus(spec.shard(p).localSteps(bp.value(), bo.value(), spec.optimizerSpec(), firstStep, perEpoch, batches)),
              GradientShard.Local::plus, depth);
        } finally {
          bp.destroy();
          bo.destroy();
        }
      }
    };
    DataParallelTrainer t = new DataParallelTrainer(job.state(), job.data(), job.checkpoint(), job.listener(), service, job.averageEvery());
    running = t;
    try {
      return t.train(cfg.epochs());
    } finally {
      running = null;
      spec.release();
    }
  }

  @Override
  public void requestStop() {
    DataParallelTrainer t = running;
    if (t != null) t.requestStop();
  }
}
