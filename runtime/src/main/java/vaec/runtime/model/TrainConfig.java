package vaec.runtime.model;

import vaec.runtime.optim.OptimizerSpec;

/**
 * The training section of a model file after CLI overrides: what data, which objective and
 * optimizer (with all its settings), and how long. {@code dataset} is a named dataset or a file
 * path.
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
    int evalSamples) {

  public TrainConfig withDataset(String d) { return new TrainConfig(d, testDataset, objective, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withTestDataset(String d) { return new TrainConfig(dataset, d, objective, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withObjective(String o) { return new TrainConfig(dataset, testDataset, o, optimizer, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withOptimizer(OptimizerSpec o) { return new TrainConfig(dataset, testDataset, objective, o, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withBatch(int b) { return new TrainConfig(dataset, testDataset, objective, optimizer, b, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withEpochs(int e) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, e, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withSeed(long s) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, s, dynamicBinarization, evalSamples); }
  public TrainConfig withBinarization(boolean b) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, seed, b, evalSamples); }
  public TrainConfig withEvalSamples(int k) { return new TrainConfig(dataset, testDataset, objective, optimizer, batch, epochs, seed, dynamicBinarization, k); }
}
