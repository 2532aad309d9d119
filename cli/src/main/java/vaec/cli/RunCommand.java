package vaec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;

/** {@code vaec run FILE}: train, then report test ELBO and log p(x) and write pictures. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Train a model; write a checkpoint, sample and reconstruction grids, the test set's latent means, "
        + "interpolations in latent space and loss curves into the output folder.")
final class RunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "the .vae model file") Path file;
  @Mixin TrainingOptions options;

  @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: runs/MODEL_NAME)") Path out;
  @Option(names = "--resume", description = "continue from the checkpoint in the output folder") boolean resume;
  @Option(names = "--metrics-json", paramLabel = "FILE", description = "also write the run's numbers as JSON here") Path metricsJson;
  @Option(names = "--objective", paramLabel = "OBJECTIVE",
      description = "replace the train block's objective, written as there: elbo(beta = 4), iwae(samples = 5)") String objective;
  @Option(names = "--spark", paramLabel = "MASTER",
      description = "train data-parallel on Apache Spark: local[2], spark://host:7077, yarn, or submit (the master spark-submit gives); needs the spark module, see the README") String spark;
  @Option(names = "--spark-partitions", paramLabel = "N", description = "workers' shares of each batch (default: Spark's default parallelism)") Integer sparkPartitions;
  @Option(names = "--spark-average-every", paramLabel = "N",
      description = "periodic parameter averaging every N local steps instead of synchronous gradients (default 1: synchronous)") Integer sparkAverageEvery;
  @Option(names = "--iwae-k", paramLabel = "K", description = "samples per example of the IWAE bound in the final report (default 50)") Integer iwaeK;

  @Override
  public Integer call() throws Exception {
    // The Spark flags first: a mistake there changes nothing in the output folder.
    DistributedTraining distributed = null;
    if (spark != null) {
      if (sparkPartitions != null && sparkPartitions < 1) throw new UserError("--spark-partitions must be at least 1, not " + sparkPartitions);
      if (sparkAverageEvery != null && sparkAverageEvery < 1) throw new UserError("--spark-average-every must be at least 1, not " + sparkAverageEvery);
      distributed = DistributedTraining.spark();
    } else if (sparkPartitions != null || sparkAverageEvery != null) {
      throw new UserError("--spark-partitions and --spark-average-every need --spark MASTER");
    }
    // The kernels' warm-up runs beside the model's compilation and the data's loading (the
    // trainer waits for it before the first step); not for Spark, whose workers train.
    if (distributed == null) vaec.runtime.kernels.Warmup.start();
    var compilation = ModelFiles.compile(file, objective);
    CompiledModel base = compilation.compiled();
    CompiledModel m = ModelFiles.withConfig(base, options.apply(base.config()));
    var cfg = m.config();
    int iwae = EvalMetrics.iwaeK(iwaeK);
    Path dir = out != null ? out : Path.of("runs", m.name());
    Path ckpt = RunOutputs.checkpoint(dir);
    DataSplit data = ModelFiles.load(m, cfg);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
          : e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name exists"
          : e instanceof java.nio.file.NoSuchFileException ? "a folder on its path cannot be created there"
          : e.getClass().getSimpleName();
      throw new UserError("cannot create output folder " + dir + ": " + why);
    }
    // The metrics file is written after training and evaluation; a path that cannot take it
    // (a folder, a file on its folder's path) stopped the run only then, after all the work.
    if (metricsJson != null) RunOutputs.requireWritableFile(metricsJson, "--metrics-json");

    ModelState state;
    if (resume) {
      if (!Files.exists(ckpt)) throw new UserError("--resume: no checkpoint at " + ckpt + "; run without --resume to start");
      vaec.runtime.checkpoint.Checkpoint saved = CheckpointIO.read(ckpt);
      // The same model trained under another objective is another run: its moments, schedules and
      // curves belong to the first objective (eval may still read it under any objective).
      if (!saved.objective().isEmpty() && !saved.objective().equals(cfg.objective())) {
        throw new UserError("--resume: " + ckpt + " was trained with the objective\n  " + saved.objective()
            + "\nbut this run asks for\n  " + cfg.objective()
            + "\nresume with the objective it was trained with (the train block's, or the same --objective), or start a new run in another --out folder");
      }
      state = ModelState.restore(m, saved, ckpt.toString(), data.train().rows());
      // The trainer finds its place in the epoch from the step count, which only fits the batch
      // size and training set the checkpoint was trained with (another one indexed out of bounds
      // or silently skipped the rest of the epoch).
      int batch = cfg.batchFor(data.train().rows());
      long perEpoch = data.train().rows() / batch;
      long inEpoch = state.step() - state.epoch() * perEpoch;
      if (inEpoch < 0 || inEpoch >= perEpoch) {
        throw new UserError("--resume: " + ckpt + " is at epoch " + state.epoch() + ", step " + state.step() + ", which does not fit "
            + perEpoch + " steps per epoch (" + data.train().rows() + " training examples, batch " + batch
            + "); resume with the batch size and dataset the run was trained with");
      }
      System.out.printf(Locale.ROOT, "resuming %s at epoch %d, step %d%n", ckpt, state.epoch(), state.step());
      if (state.epoch() >= cfg.epochs()) {
        System.out.printf(Locale.ROOT, "nothing to train: the checkpoint has %d epochs, and %d are asked for (--epochs or the train block's "
            + "epochs); it is evaluated as it is. Give --epochs more than %d to train further%n", state.epoch(), cfg.epochs(), state.epoch());
      }
    } else {
      if (Files.exists(ckpt)) {
        Path previous = dir.resolve("checkpoint.previous.vaeckpt");
        Files.move(ckpt, previous, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("an earlier run's checkpoint was kept as " + previous + " (use --resume to continue a run)");
      }
      state = ModelState.fresh(m, data.train().rows());
    }
    // When every data variable reads a file of its own, the dataset setting plays no part: name the files.
    List<String> ownFiles = m.data().stream().filter(d -> d.binding() instanceof vaec.runtime.data.DataBinding.File)
        .map(d -> d.binding().toString()).toList();
    String trainedOn = !m.data().isEmpty() && ownFiles.size() == m.data().size() ? String.join(", ", ownFiles) : cfg.dataset();
    if (m.data().isEmpty()) {
      System.out.printf(Locale.ROOT, "training %s without data: %d steps of %d draws per epoch, %d epochs, %s, seed %d; tested on %,d draws%n",
          m.name(), cfg.steps(), cfg.batch(), cfg.epochs(), cfg.optimizer(), cfg.seed(), data.test().rows());
    } else System.out.printf(Locale.ROOT, "training %s on %s: %,d training and %,d test examples, batch %d, %d epochs, %s, seed %d%n",
        m.name(), trainedOn, data.train().rows(), data.test().rows(), cfg.batchFor(data.train().rows()), cfg.epochs(),
        cfg.optimizer(), cfg.seed());
    for (String note : data.notes()) System.out.println(note);

    ProgressDisplay display = new ProgressDisplay(System.out, m.terms());
    DistributedTraining.Job job = null;
    if (distributed != null) {
      var source = vaec.compiler.SourceFile.read(file);
      job = new DistributedTraining.Job(spark, sparkPartitions == null ? 0 : sparkPartitions, sparkAverageEvery == null ? 1 : sparkAverageEvery,
          source.name(), source.text(), objective, cfg, state, data, ckpt, display);
    }
    Trainer trainer = new Trainer(state, data, ckpt, display);
    final DistributedTraining onSpark = distributed;
    // Counted down once an interrupted run has saved and said so. The hook waits for that, not for
    // the main thread to end: the main thread then calls System.exit, which waits for the hooks.
    java.util.concurrent.CountDownLatch saved = new java.util.concurrent.CountDownLatch(1);
    Thread hook = new Thread(() -> {
      // Ctrl-C or SIGTERM: let the loop finish its step and save, then let the JVM exit.
      trainer.requestStop();
      if (onSpark != null) onSpark.requestStop();
      try {
        saved.await(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    boolean finished;
    try {
      finished = distributed != null ? distributed.train(job) : trainer.train(cfg.epochs());
    } catch (RuntimeException | Error e) {
      saved.countDown();
      throw e;
    } finally {
      display.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already exiting (Ctrl-C); the hook is waiting for us.
      }
    }
    if (!finished) {
      System.out.printf(Locale.ROOT, "%ninterrupted: saved %s at epoch %d, step %d; continue with --resume%n", ckpt, state.epoch(), state.step());
      System.out.flush();
      saved.countDown();
      return 130;
    }

    // With --epochs 0 (evaluate the initialisation) the trainer saved nothing; the summary below names the checkpoint.
    if (!Files.exists(ckpt)) CheckpointIO.write(ckpt, state.toCheckpoint());
    Evaluator ev = new Evaluator(state);
    Evaluator.Terms test = ev.terms(data.test());
    int k = cfg.evalSamples();
    System.out.printf(Locale.ROOT, "%ntest %s%n", test.describe());
    if (m.data().isEmpty()) return finishWithoutData(dir, ckpt, compilation.model(), state, test);
    long t0 = System.nanoTime();
    double logPx = ev.logLikelihood(data.test(), k, null);
    System.out.printf(Locale.ROOT, "test %s ~ %.3f nats per example (importance sampling, K = %d, %.1f s)%n", m.likelihoodLabel(), logPx, k,
        (System.nanoTime() - t0) / 1e9);
    Map<String, ValueDomain> latentDomains = new LinkedHashMap<>();
    for (var z : compilation.model().latents()) latentDomains.put(z.name(), z.domain());
    EvalMetrics collapse = EvalMetrics.of(ev, data.test(), test, iwae, k, m.likelihoodLabel(), latentDomains);
    for (String line : collapse.lines()) System.out.println(line);
    List<Path> pics = RunOutputs.pictures(dir, state, ev, m, data.test(), latentDomains);
    double peak = RunOutputs.peakRssMiB();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", m.name());
    metrics.put("dataset", cfg.dataset());
    metrics.put("epochs", state.epoch());
    metrics.put("epoch_seconds", state.curves().getOrDefault("epoch_seconds", List.of()));
    String loss = m.terms().get(0).metric();   // the objective's loss: neg_elbo, neg_iwae
    metrics.put("train_" + loss, state.curves().getOrDefault("train_loss", List.of()));
    metrics.put("test_" + loss + "_per_epoch", state.curves().getOrDefault("test_loss", List.of()));
    for (int t = 0; t < test.values().length; t++) metrics.put("test_" + test.names().get(t).metric(), test.values()[t]);
    metrics.put("test_log_px", logPx);
    metrics.put("eval_samples", k);
    metrics.putAll(collapse.metrics());
    metrics.put("peak_rss_mb", peak);
    RunOutputs.writeMetrics(dir.resolve("metrics.json"), metrics);
    if (metricsJson != null) RunOutputs.writeMetrics(metricsJson, metrics);
    System.out.printf(Locale.ROOT, "peak memory %.0f MiB%n", peak);
    System.out.println("wrote " + ckpt + ", " + dir.resolve("metrics.json")
        + (pics.isEmpty() ? "" : ", " + String.join(", ", pics.stream().map(Path::toString).toList())));
    return 0;
  }

  /**
   * The end of a run of a model without data: its "test" terms are averages over draws of the
   * guide alone; no log p(x), reconstructions or samples. An energy prior adds log Z, the KL
   * estimate and the density picture.
   */
  private int finishWithoutData(Path dir, Path ckpt, vaec.compiler.ir.ProbModel model, ModelState state, Evaluator.Terms test) {
    CompiledModel m = state.model();
    List<Path> pics = new java.util.ArrayList<>();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("model", m.name());
    metrics.put("dataset", m.config().dataset());
    metrics.put("epochs", state.epoch());
    metrics.put("steps", state.step());
    metrics.put("epoch_seconds", state.curves().getOrDefault("epoch_seconds", List.of()));
    String loss = m.terms().get(0).metric();
    metrics.put("train_" + loss, state.curves().getOrDefault("train_loss", List.of()));
    for (int t = 0; t < test.values().length; t++) metrics.put("test_" + test.names().get(t).metric(), test.values()[t]);
    metrics.put("test_draws", ModelFiles.NO_DATA_TEST_ROWS);
    metrics.putAll(EnergyFit.report(dir, model, state, test.loss(), pics));
    Path lossPng = RunOutputs.lossChart(dir, state);
    if (lossPng != null) pics.add(lossPng);
    double peak = RunOutputs.peakRssMiB();
    metrics.put("peak_rss_mb", peak);
    RunOutputs.writeMetrics(dir.resolve("metrics.json"), metrics);
    if (metricsJson != null) RunOutputs.writeMetrics(metricsJson, metrics);
    System.out.printf(Locale.ROOT, "peak memory %.0f MiB%n", peak);
    System.out.println("wrote " + ckpt + ", " + dir.resolve("metrics.json") + ", " + String.join(", ", pics.stream().map(Path::toString).toList()));
    return 0;
  }
}
