package vaec.runtime.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue a training run exactly where it stopped.
 *
 * <p>The random generator is counter-based (noise for step s is drawn from a generator seeded by
 * (seed, s)), so its whole state is {@code seed} and {@code step}. Parameters and optimizer moments
 * are flat float vectors laid out as {@code layout} says, in that order.
 *
 * @param modelHash     SHA-256 (hex) of the model source; a checkpoint is refused for another model
 * @param modelFile     the model file's path as given when the run started, for messages
 * @param objective     the objective trained, as {@code vaec compile} describes it (with its
 *                      settings); "" in a version-1 file, which did not record it
 * @param epoch         completed epochs
 * @param step          completed optimizer steps
 * @param seed          the run's seed
 * @param layout        name and shape of every parameter tensor, in flat order
 * @param params        the flat parameter vector
 * @param optimizer     optimizer name ("adam", "sgd")
 * @param optimizerState named flat vectors of the optimizer (e.g. "m", "v"), each as long as params
 * @param curves        named per-epoch histories (e.g. "train_loss", "test_loss") for plots on resume
 */
public record Checkpoint(
    String modelHash,
    String modelFile,
    String objective,
    long epoch,
    long step,
    long seed,
    List<ParamEntry> layout,
    float[] params,
    String optimizer,
    Map<String, float[]> optimizerState,
    Map<String, double[]> curves) {

  /** One parameter tensor's name and shape inside the flat vector. */
  public record ParamEntry(String name, long[] shape) {
    public long size() {
      long n = 1;
      for (long d : shape) n *= d;
      return n;
    }
  }
}
