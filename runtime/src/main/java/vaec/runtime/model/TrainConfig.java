package vaec.runtime.model;

/**
 * The training section of a model file after CLI overrides: what data, which objective and
 * optimizer, and how long. {@code dataset} is a named dataset or a file path.
 */
public record TrainConfig(
    String dataset,
    String testDataset,
    String objective,
    String optimizer,
    double learningRate,
    int batch,
    int epochs,
    long seed,
    boolean dynamicBinarization,
    int evalSamples) {

  public TrainConfig withDataset(String d) { return new TrainConfig(d, testDataset, objective, optimizer, learningRate, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withTestDataset(String d) { return new TrainConfig(dataset, d, objective, optimizer, learningRate, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withOptimizer(String o) { return new TrainConfig(dataset, testDataset, objective, o, learningRate, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withLearningRate(double lr) { return new TrainConfig(dataset, testDataset, objective, optimizer, lr, batch, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withBatch(int b) { return new TrainConfig(dataset, testDataset, objective, optimizer, learningRate, b, epochs, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withEpochs(int e) { return new TrainConfig(dataset, testDataset, objective, optimizer, learningRate, batch, e, seed, dynamicBinarization, evalSamples); }
  public TrainConfig withSeed(long s) { return new TrainConfig(dataset, testDataset, objective, optimizer, learningRate, batch, epochs, s, dynamicBinarization, evalSamples); }
  public TrainConfig withBinarization(boolean b) { return new TrainConfig(dataset, testDataset, objective, optimizer, learningRate, batch, epochs, seed, b, evalSamples); }
  public TrainConfig withEvalSamples(int k) { return new TrainConfig(dataset, testDataset, objective, optimizer, learningRate, batch, epochs, seed, dynamicBinarization, k); }
}
