package vaec.runtime.train;

import vaec.runtime.data.BoundData;
import vaec.runtime.model.CompiledModel;

/**
 * The order in which training visits the rows of its data: for each epoch, a sequence of row
 * indices from which the batches are cut in turn (the last incomplete batch dropped). The
 * sequence is a function of the seed it is given (and of what the order was made with), never of
 * earlier calls: a checkpoint records only the epoch and the step, and a resumed run, or a
 * data-parallel run resuming a single-process one, asks again for the epoch's seed and must get
 * the same rows. {@link Trainer}, {@link DataParallelTrainer} and {@link GradientVariance} take
 * their rows from one; which one a run uses is decided in {@link #of}, so a sampler that visits
 * rows otherwise (one that adds labelled rows to every batch, say) is one new implementation.
 */
public interface BatchOrder {
  /** How many row indices {@link #epoch} gives: the rows one epoch visits. */
  int length();

  /** The row indices one epoch visits, in order: {@link #length} of them, each a row of the data it was made for. */
  int[] epoch(long seed);

  /**
   * The order training uses for model {@code m} on the training rows {@code train}: the one
   * place a run's batch order is chosen. Today every model gets {@link SeededShuffle}.
   */
  static BatchOrder of(CompiledModel m, BoundData train) {
    return new SeededShuffle(train.rows());
  }
}
