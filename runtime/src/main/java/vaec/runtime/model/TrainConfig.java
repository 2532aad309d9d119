package vaec.runtime.model;

import vaec.runtime.optim.OptimizerSpec;

/**
 * The training section of a model file after CLI overrides: what data, which objective and
 * optimizer (with all its settings), and how long. {@code dataset} is a named dataset or a file
 * path, or {@code none} for a model without data,
 * which trains {@code steps} batches of noise per epoch.
 */
public record TrainConfig(
    String dataset,
    String testDataset,
    String objective,
    OptimizerSpec optimizer,
    int batch,
    int epochs,
    long seed,
    boolean dynamicBinarization,
    int evalSamples,
    int steps) {

  /** The dataset setting of a model without data ({@code dataset = none}): it trains on noise batches alone. */
  public static final String NO_DATA = "none";

  /** Steps per epoch of a model without data, unless the train section says. */
  public static final int DEFAULT_STEPS = 100;

  /** Whether this configuration trains a model without data ({@code dataset = none}). */
  public boolean dataFree() { return NO_DATA.equals(dataset); }

  /**
   * The batch training runs: the batch setting, capped at the {@code trainRows} training examples
   * (a batch larger than the training set is the whole set). The trainer, the memory check and the
   * commands' reports all use this one number.
   */
  public int batchFor(int trainRows) { return Math.max(1, Math.min(batch, trainRows)); }

  public TrainConfig withSteps(int n) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples, n); }

  public TrainConfig withDataset(String d) { return new TrainConfig(d, testDataset, objective, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withTestDataset(String d) { return new TrainConfig(dataset, d, objective, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withObjective(String o) { return new TrainConfig(dataset, testDataset, o, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withOptimizer(OptimizerSpec o) { return new TrainConfig(dataset, testDataset, objective, o, batch, epochs, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withBatch(int b) { return new TrainConfig(dataset, testDataset, objective, optimizer, b, epochs, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withEpochs(int e) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, e, seed, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withSeed(long s) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, s, dynamicBinarization, evalSamples, steps); }
  public TrainConfig withBinarization(boolean b) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, seed, b, evalSamples, steps); }
  public TrainConfig withEvalSamples(int k) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, seed, dynamicBinarization, k, steps); }
}
