package vaec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.UserError;
import vaec.runtime.data.DataChecks;
import vaec.runtime.data.DataFiles;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.Dataset;
import vaec.runtime.data.NamedDatasets;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.model.TrainConfig;

/** Shared steps of the commands: compile a model file, load and check its data. */
final class ModelFiles {
  private ModelFiles() {}

  static Compiler.Compilation compile(Path file) {
    if (!Files.exists(file)) throw new UserError("model file not found: " + file);
    return Compiler.compile(SourceFile.read(file));
  }

  /** The model with the training section's settings replaced by {@code config}. */
  static CompiledModel withConfig(CompiledModel m, TrainConfig config) {
    return new CompiledModel(m.name(), m.file(), m.sourceHash(), m.dataName(), m.dataWidth(), m.dataDomain(), m.params(), m.train(), m.evaluate(),
        m.logWeight(), m.priorSample(), m.reconstruct(), m.controlVariates(), config);
  }

  /**
   * The training and test data the config names: a named dataset, or a file (with a test file,
   * or else its last 10% held out), checked against the model's declaration.
   */
  static DataSplit load(CompiledModel m, TrainConfig c) {
    // Data that will be binarized on the fly only has to be in [0, 1].
    ValueDomain domain = c.dynamicBinarization() && m.dataDomain() == ValueDomain.BINARY ? ValueDomain.UNIT_INTERVAL : m.dataDomain();
    String decl = "data " + m.dataName() + " : " + switch (m.dataDomain()) {
      case REAL -> "real[" + m.dataWidth() + "]";
      case UNIT_INTERVAL -> "real[" + m.dataWidth() + "] in [0, 1]";
      case BINARY -> "binary[" + m.dataWidth() + "]";
      case ONE_HOT -> "onehot[" + m.dataWidth() + "]";
    };
    DataSplit split;
    if (NamedDatasets.names().contains(c.dataset())) {
      split = NamedDatasets.load(c.dataset());
    } else {
      Path p = Path.of(c.dataset());
      if (!Files.exists(p) && !c.dataset().contains("/") && !c.dataset().contains(".")) {
        throw new UserError("unknown dataset '" + c.dataset() + "': use one of " + NamedDatasets.names() + " or a file path (IDX, CSV or NPY)");
      }
      Dataset all = DataFiles.read(p);
      if (c.testDataset() != null) {
        split = new DataSplit(all, DataFiles.read(Path.of(c.testDataset())));
      } else {
        if (all.rows() < 2) throw new UserError(p + " holds " + all.rows() + (all.rows() == 1 ? " example" : " examples")
            + "; at least 2 are needed to hold one out for testing");
        // Checked whole, so that a bad value in the held-out part is reported with its row in the file.
        DataChecks.check(all, m.dataWidth(), domain, decl);
        int test = Math.max(1, all.rows() / 10);
        split = new DataSplit(all.slice(0, all.rows() - test), all.slice(all.rows() - test, all.rows()));
      }
    }
    DataChecks.check(split.train(), m.dataWidth(), domain, decl);
    DataChecks.check(split.test(), m.dataWidth(), domain, decl);
    if (c.dynamicBinarization()) {
      // Training draws a fresh binarization every step; the test set is binarized once, with a
      // fixed seed, so that every evaluation scores the same binary images (the usual protocol).
      Dataset t = split.test();
      float[] bin = new float[t.values().length];
      vaec.runtime.data.Binarize.dynamic(t.values(), bin, new java.util.SplittableRandom(c.seed() ^ 0x5EEDL));
      split = new DataSplit(split.train(), new Dataset(t.origin() + " (binarized once)", t.rows(), t.width(), bin,
          t.imageHeight(), t.imageWidth()));
    }
    return split;
  }
}
