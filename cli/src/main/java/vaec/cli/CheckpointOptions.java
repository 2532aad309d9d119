package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.CheckpointIO;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.ModelState;

/** Where eval and sample find the trained parameters. */
final class CheckpointOptions {
  @Option(names = "--checkpoint", paramLabel = "FILE", description = "default: runs/MODEL_NAME/checkpoint.vaeckpt")
  Path checkpoint;

  /** The checkpoint file: --checkpoint, or the model's default run folder's. */
  Path path(CompiledModel m) {
    return checkpoint != null ? checkpoint : RunOutputs.checkpoint(Path.of("runs", m.name()));
  }

  ModelState load(CompiledModel m) {
    Path p = path(m);
    if (!Files.exists(p)) throw new UserError("no checkpoint at " + p + "; train first with: vaec run " + m.file() + " (or pass --checkpoint)");
    return ModelState.restoreForEvaluation(m, CheckpointIO.read(p), p.toString());
  }
}
