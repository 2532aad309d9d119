package vaec.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.cli.DistributedTraining;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.DataParallelTrainer;
import vaec.runtime.train.GradientShard;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * Synchronous data-parallel training against single-process training, on a tiny VAE with
 * dynamic binarization (so both the graph's noise and the data's noise are split across workers):
 * 72 training rows, batch 8, 9 steps per epoch, Adam.
 *
 * <p>Tolerance: every parameter within 1e-4 of the single-process run's after 9 and 18 steps.
 * The only difference is float summation order (the batch gradient is a sum of three partial sums
 * instead of one mean), about 1e-7 relative per step; Adam divides by the root of the second
 * moment, which can amplify that for a gradient near zero, but over 18 steps of learning rate 1e-2
 * the measured largest difference is far below 1e-4 (see the README's Spark section), while the
 * parameters move by more than 1e-2 (100 times the tolerance) from their initialisation, which the test also checks.
 */
class SparkTrainerTest {
  static final double TOL = 1e-4;
  static JavaSparkContext sc;
  @TempDir static Path dir;
  static Path model;
  static String text;

  @BeforeAll
  static void start() throws Exception {
    model = TinyModelFile.write(dir);
    text = Files.readString(model);
    // local[2,4]: two threads, and up to four attempts per task (plain local[N] never retries).
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2,4]").setAppName("vaec-test").set("spark.ui.enabled", "false"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    if (sc != null) sc.stop();
  }

  static CompiledModel compile(int epochs) {
    CompiledModel m = Compiler.compile(new SourceFile(model.toString(), text)).compiled();
    return m.withConfig(m.config().withEpochs(epochs));
  }

  static DataSplit data(CompiledModel m) {
    var c = m.config();
    return DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
  }

  static boolean onSpark(ModelState state, Path ckpt, int epochs, int partitions) {
    return onSpark(state, ckpt, epochs, partitions, 1);
  }

  static boolean onSpark(ModelState state, Path ckpt, int epochs, int partitions, int averageEvery) {
    CompiledModel m = state.model();
    DistributedTraining.Job job = new DistributedTraining.Job("local[2]", partitions, averageEvery, model.toString(), text, null,
        m.config().withEpochs(epochs), state, data(m), ckpt, new TrainingListener() {});
    return new SparkTrainer().train(sc, job);
  }

  static float maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    float d = 0;
    for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    return d;
  }

  /** Single-process reference: parameters after epoch 1 and after epoch 2, and the epoch-1 checkpoint. */
  static float[][] reference(Path ckpt1) throws Exception {
    CompiledModel m = compile(2);
    DataSplit d = data(m);
    ModelState s = ModelState.fresh(m);
    float[] init = s.params().toFloatArray();
    assertTrue(new Trainer(s, d, ckpt1, new TrainingListener() {}).train(1));
    float[] one = s.params().toFloatArray();
    Files.copy(ckpt1, dir.resolve("ref1.vaeckpt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertTrue(new Trainer(s, d, dir.resolve("ref2.vaeckpt"), new TrainingListener() {}).train(2));
    assertEquals(18, s.step());
    assertTrue(maxDiff(init, one) > 100 * TOL, "training moves the parameters");
    return new float[][] {one, s.params().toFloatArray()};
  }

  @Test
  void inProcessShardsFollowTheSingleProcessTrajectory() throws Exception {
    float[][] ref = reference(dir.resolve("a.vaeckpt"));
    CompiledModel m = compile(1);
    assertTrue(m.config().dynamicBinarization());
    DataSplit d = data(m);
    int batch = 8;
    int[] o = DataParallelTrainer.split(batch, 3);
    GradientShard[] shards = new GradientShard[3];
    // Each shard on its own compilation, as on Spark's executors: ops keep per-executor state.
    for (int p = 0; p < 3; p++) shards[p] = new GradientShard(compile(1), d.train(), batch, o[p], o[p + 1] - o[p], m.config().seed(), m.config().dynamicBinarization());
    ModelState s = ModelState.fresh(m);
    DataParallelTrainer t = new DataParallelTrainer(s, d, dir.resolve("b.vaeckpt"), new TrainingListener() {}, (params, step, perEpoch, idx) -> {
      GradientShard.Sum sum = GradientShard.Sum.empty();
      for (GradientShard g : shards) sum = sum.plus(g.compute(params, step, perEpoch, idx));
      return sum;
    });
    assertTrue(t.train(1));
    float diff = maxDiff(ref[0], s.params().toFloatArray());
    System.out.printf(Locale.ROOT, "in-process shards vs single process after 9 steps: max |diff| %.3g%n", diff);
    assertTrue(diff < TOL, "max |diff| " + diff);
  }

  /**
   * The same with an enumerated latent before a Gaussian one: the Gaussian's noise is stacked
   * along the rows (one block of the batch per value of c), and each shard takes its rows out of
   * every block of the global batch's noise, so the shards still follow the single process.
   */
  @Test
  void inProcessShardsFollowTheSingleProcessTrajectoryThroughStackedEnumeratedBranches() throws Exception {
    String mixed = text.replace("model tiny", "model tiny_mixture")
        .replace("latent z : real[2]", "latent c : onehot[3]\n        latent z : real[2]")
        .replace("network encoder = MLP(16 -> 8 -> 4, activation = relu)",
            "network encoder = MLP(19 -> 8 -> 4, activation = relu)\n        network cls = Linear(16 -> 3)\n        network cp = Linear(3 -> 4)")
        .replace("prior z ~ Normal(0, 1)", "prior {\n          c ~ Categorical(logits = 0)\n          m, s = split(cp(c))\n          z ~ Normal(m, exp(s))\n        }")
        .replace("mu, log_var = split(encoder(x))", "c ~ Categorical(logits = cls(x))\n          mu, log_var = split(encoder(concat(x, c)))");
    java.util.function.Supplier<CompiledModel> compileMixed = () -> {
      CompiledModel c = Compiler.compile(new SourceFile(dir.resolve("mixed.vae").toString(), mixed)).compiled();
      return c.withConfig(c.config().withEpochs(1));
    };
    CompiledModel m = compileMixed.get();
    assertTrue(m.train().nodes().stream().anyMatch(n -> n.kind() == vaec.runtime.graph.Node.Kind.NOISE && n.rows() == 3),
        "the Gaussian's noise is stacked, one block per value of c");
    DataSplit d = data(m);
    ModelState single = ModelState.fresh(m);
    assertTrue(new Trainer(single, d, dir.resolve("m1.vaeckpt"), new TrainingListener() {}).train(1));
    int batch = 8;
    int[] o = DataParallelTrainer.split(batch, 3);
    GradientShard[] shards = new GradientShard[3];
    for (int p = 0; p < 3; p++) {
      shards[p] = new GradientShard(compileMixed.get(), d.train(), batch, o[p], o[p + 1] - o[p], m.config().seed(), m.config().dynamicBinarization());
    }
    ModelState s = ModelState.fresh(m);
    DataParallelTrainer t = new DataParallelTrainer(s, d, dir.resolve("m2.vaeckpt"), new TrainingListener() {}, (params, step, perEpoch, idx) -> {
      GradientShard.Sum sum = GradientShard.Sum.empty();
      for (GradientShard g : shards) sum = sum.plus(g.compute(params, step, perEpoch, idx));
      return sum;
    });
    assertTrue(t.train(1));
    float diff = maxDiff(single.params().toFloatArray(), s.params().toFloatArray());
    System.out.printf(Locale.ROOT, "in-process shards vs single process, enumerated mixture, after 9 steps: max |diff| %.3g%n", diff);
    assertTrue(diff < TOL, "max |diff| " + diff);
  }

  @Test
  void sparkLocalModeFollowsTheSingleProcessTrajectoryAndCheckpointsAreInterchangeable() throws Exception {
    float[][] ref = reference(dir.resolve("r1.vaeckpt"));

    // Spark, 3 shares of each batch of 8 (2, 3, 3 examples) on local[2].
    ModelState s = ModelState.fresh(compile(1));
    Path sparkCkpt = dir.resolve("s1.vaeckpt");
    assertTrue(onSpark(s, sparkCkpt, 1, 3));
    assertEquals(9, s.step());
    float d1 = maxDiff(ref[0], s.params().toFloatArray());
    System.out.printf(Locale.ROOT, "spark local[2] vs single process after 9 steps: max |diff| %.3g%n", d1);
    assertTrue(d1 < TOL, "after epoch 1: max |diff| " + d1);

    // The Spark run's checkpoint resumes in a single process ...
    CompiledModel m2 = compile(2);
    ModelState local = ModelState.restore(m2, CheckpointIO.read(sparkCkpt), sparkCkpt.toString());
    assertTrue(new Trainer(local, data(m2), dir.resolve("l2.vaeckpt"), new TrainingListener() {}).train(2));
    float d2 = maxDiff(ref[1], local.params().toFloatArray());
    assertTrue(d2 < TOL, "spark epoch 1 then local epoch 2: max |diff| " + d2);

    // ... and a single-process checkpoint resumes on Spark (2 shares this time).
    Path r1 = dir.resolve("ref1.vaeckpt");
    ModelState spark2 = ModelState.restore(m2, CheckpointIO.read(r1), r1.toString());
    assertTrue(onSpark(spark2, dir.resolve("s2.vaeckpt"), 2, 2));
    float d3 = maxDiff(ref[1], spark2.params().toFloatArray());
    System.out.printf(Locale.ROOT, "local epoch 1 then spark epoch 2 vs single process: max |diff| %.3g%n", d3);
    assertTrue(d3 < TOL, "local epoch 1 then spark epoch 2: max |diff| " + d3);
    assertEquals(2, CheckpointIO.read(dir.resolve("s2.vaeckpt")).epoch());
  }

  /**
   * Periodic parameter averaging with one worker is single-process training (its local steps are
   * the steps; the averaging, of Adam's moments too, is the identity), rounds of 4 steps cut at the
   * end of each 9-step epoch (4, 4, 1). With three workers it trains: the second epoch's training
   * loss is below the first's, and the parameters stay finite.
   */
  @Test
  void periodicAveragingWithOneWorkerIsSingleProcessTrainingAndWithThreeItTrains() throws Exception {
    float[][] ref = reference(dir.resolve("p1.vaeckpt"));
    ModelState one = ModelState.fresh(compile(2));
    assertTrue(onSpark(one, dir.resolve("avg1.vaeckpt"), 2, 1, 4));
    assertEquals(18, one.step());
    float d = maxDiff(ref[1], one.params().toFloatArray());
    System.out.printf(Locale.ROOT, "averaging every 4 steps, one worker, vs single process after 18 steps: max |diff| %.3g%n", d);
    assertTrue(d < TOL, "max |diff| " + d);

    ModelState three = ModelState.fresh(compile(2));
    assertTrue(onSpark(three, dir.resolve("avg3.vaeckpt"), 2, 3, 4));
    assertEquals(18, three.step());
    var loss = three.curves().get("train_loss");
    assertEquals(2, loss.size());
    assertTrue(loss.get(1) < loss.get(0), "training loss per epoch " + loss);
    for (float v : three.params().toFloatArray()) assertTrue(Float.isFinite(v));
    float apart = maxDiff(ref[1], three.params().toFloatArray());
    System.out.printf(Locale.ROOT, "averaging every 4 steps, three workers, vs synchronous after 18 steps: max |diff| %.3g; losses %s%n", apart, loss);
  }

  /**
   * A task that fails is rescheduled by Spark and the run goes on to the same parameters, bit for
   * bit: the retry recomputes the share from the same broadcast parameters, indices and (seed,
   * step) noise. Bit-exact because the two shares' sums are combined in one float addition, which
   * is commutative, so the order in which the tasks finish does not matter (with three or more
   * shares the driver's combination order could vary with timing, and only the tolerance of the
   * other tests would hold). In local mode an executor cannot be lost without the driver, so the
   * test fails the task itself on its first attempt ({@link TaskFaults}), which Spark handles as it
   * handles a task on a lost executor: it runs the task again.
   */
  @Test
  void aFailedTaskIsRetriedAndTheRunEndsWithTheSameParameters() throws Exception {
    ModelState clean = ModelState.fresh(compile(1));
    assertTrue(onSpark(clean, dir.resolve("f0.vaeckpt"), 1, 2));
    int before = TaskFaults.injected();
    System.setProperty(TaskFaults.PROPERTY, "4:1");   // step 4 (of 0..8), second share
    ModelState failed = ModelState.fresh(compile(1));
    try {
      assertTrue(onSpark(failed, dir.resolve("f1.vaeckpt"), 1, 2));
    } finally {
      System.clearProperty(TaskFaults.PROPERTY);
    }
    assertEquals(before + 1, TaskFaults.injected(), "one task failed once");
    assertEquals(9, failed.step());
    org.junit.jupiter.api.Assertions.assertArrayEquals(clean.params().toFloatArray(), failed.params().toFloatArray());
  }

  /** A running-average baseline's state would stay on the workers: synchronous mode refuses it, naming the line; averaging takes it. */
  @Test
  void synchronousModeRefusesARunningBaselineWithItsLine() {
    String sbn = """
        model sbn

        data   x : binary[16]
        latent z : binary[4]

        network encoder = Linear(16 -> 4)
        network decoder = Linear(4 -> 16)

        prior z ~ Bernoulli(logits = 0)
        guide z ~ Bernoulli(logits = encoder(x)) using score_function(baseline = average)
        likelihood x ~ Bernoulli(logits = decoder(z))
        """;
    CompiledModel m = Compiler.compile(new SourceFile("sbn.vae", sbn)).compiled();
    ModelState s = ModelState.fresh(m);
    DataParallelTrainer.GradientService none = (p, step, perEpoch, idx) -> { throw new AssertionError("not reached"); };
    var e = org.junit.jupiter.api.Assertions.assertThrows(vaec.runtime.UserError.class,
        () -> new DataParallelTrainer(s, null, dir.resolve("x.vaeckpt"), new TrainingListener() {}, none));
    assertTrue(e.getMessage().startsWith("sbn.vae:10:"), e.getMessage());
    assertTrue(e.getMessage().contains("--spark-average-every"), e.getMessage());
    new DataParallelTrainer(s, null, dir.resolve("x.vaeckpt"), new TrainingListener() {}, none, 2);
  }
}
