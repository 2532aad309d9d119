package vaec.cli;

import picocli.CommandLine.Option;
import vaec.runtime.UserError;
import vaec.runtime.model.TrainConfig;

/** The flags that override a model's train section; shared by run, eval and sample. */
final class TrainingOptions {
  @Option(names = "--dataset", paramLabel = "NAME|FILE", description = "mnist_digits, fashion_mnist, or an IDX/CSV/NPY file")
  String dataset;

  @Option(names = "--test-dataset", paramLabel = "FILE", description = "held-out data file (default: the last 10%% of --dataset)")
  String testDataset;

  @Option(names = "--epochs", paramLabel = "N") Integer epochs;
  @Option(names = "--batch", paramLabel = "N") Integer batch;
  @Option(names = "--lr", paramLabel = "RATE", description = "learning rate") Double lr;
  @Option(names = "--optimizer", paramLabel = "adam|sgd") String optimizer;
  @Option(names = "--seed", paramLabel = "N") Long seed;
  @Option(names = "--binarize", paramLabel = "dynamic|none", description = "dynamic binarization of [0,1] data for binary likelihoods")
  String binarize;
  @Option(names = "--eval-samples", paramLabel = "K", description = "importance samples for the log p(x) estimate (default 1000)")
  Integer evalSamples;

  TrainConfig apply(TrainConfig c) {
    if (dataset != null) c = c.withDataset(dataset);
    if (testDataset != null) c = c.withTestDataset(testDataset);
    if (epochs != null) c = c.withEpochs(atLeast("--epochs", epochs, 0));
    if (batch != null) c = c.withBatch(atLeast("--batch", batch, 1));
    if (lr != null) {
      if (!(lr > 0) || Double.isInfinite(lr)) throw new UserError("--lr must be a positive number, got " + lr);
      c = c.withLearningRate(lr);
    }
    if (optimizer != null) {
      String o = optimizer.toLowerCase(java.util.Locale.ROOT);
      if (!o.equals("adam") && !o.equals("sgd")) throw new UserError("--optimizer must be adam or sgd, got '" + optimizer + "'");
      c = c.withOptimizer(o);
    }
    if (seed != null) c = c.withSeed(seed);
    if (binarize != null) {
      if (!binarize.equals("dynamic") && !binarize.equals("none")) throw new UserError("--binarize must be dynamic or none, got '" + binarize + "'");
      c = c.withBinarization(binarize.equals("dynamic"));
    }
    if (evalSamples != null) c = c.withEvalSamples(atLeast("--eval-samples", evalSamples, 1));
    return c;
  }

  private static int atLeast(String flag, int v, int min) {
    if (v < min) throw new UserError(flag + " must be at least " + min + ", got " + v);
    return v;
  }
}
