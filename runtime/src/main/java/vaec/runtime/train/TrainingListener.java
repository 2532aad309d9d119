package vaec.runtime.train;

/** What a progress display hears from the training loop. */
public interface TrainingListener {
  /** @param batches batches this epoch; {@code done} of them already done (non-zero on resume). */
  default void epochStarted(long epoch, long epochs, long batches, long done, int batchSize) {}

  /** Running means over this epoch so far of the objective's reported terms, in nats per example (an array reused by the next call: copy it to keep it). */
  default void batchDone(long batchInEpoch, double[] terms) {}

  default void epochDone(EpochReport report) {}

  /** One finished epoch. */
  /** One finished epoch: the training means of the reported terms, and the test loss. */
  record EpochReport(long epoch, long epochs, double[] train, double testLoss, double seconds, double examplesPerSecond) {
    public double trainLoss() { return train[0]; }
  }
}
