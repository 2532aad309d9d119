package vaec.runtime.train;

/** What a progress display hears from the training loop. */
public interface TrainingListener {
  /** @param batches batches this epoch; {@code done} of them already done (non-zero on resume). */
  default void epochStarted(long epoch, long epochs, long batches, long done, int batchSize) {}

  /** Running means over this epoch so far, in nats per example. */
  default void batchDone(long batchInEpoch, double loss, double reconstruction, double kl) {}

  default void epochDone(EpochReport report) {}

  /** One finished epoch. */
  record EpochReport(long epoch, long epochs, double trainLoss, double trainReconstruction, double trainKl, double testLoss,
                     double seconds, double examplesPerSecond) {}
}
