package vaec.cli;

import java.nio.file.Path;
import java.util.ServiceLoader;
import vaec.runtime.UserError;
import vaec.runtime.data.DataSplit;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.TrainingListener;

/**
 * Training on a cluster engine, found only when asked for ({@code vaec run FILE --spark MASTER}):
 * the implementation lives in the optional {@code spark} module and is looked up with
 * {@link ServiceLoader}, so that the CLI neither links nor loads Spark otherwise.
 */
public interface DistributedTraining {
  /** What a distributed run needs: the model's source (workers recompile it) and the driver's state. */
  record Job(String master, int partitions, int averageEvery, String sourceName, String sourceText, String objective,
      vaec.runtime.model.TrainConfig config, ModelState state, DataSplit data, Path checkpoint, TrainingListener listener) {}

  /** Trains until the configured epochs are done; false when stopped early (checkpoint written). */
  boolean train(Job job);

  /** Asks a running {@link #train} to checkpoint and return after its current step. */
  void requestStop();

  /** The Spark trainer, or a message saying how to get it. */
  static DistributedTraining spark() {
    return ServiceLoader.load(DistributedTraining.class).findFirst().orElseThrow(() -> new UserError(
        "--spark: the Spark trainer is not on the class path; build the spark module (mvn -B -DskipTests package from the "
            + "project root) and run through the vaec launcher, or with spark-submit as the README's Spark section shows"));
  }
}
