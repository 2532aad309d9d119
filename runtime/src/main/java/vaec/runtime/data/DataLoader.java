package vaec.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import vaec.runtime.UserError;

/**
 * Loads the data of a model: the dataset it names (a named dataset or a file, with a test file or
 * else its last 10% held out), every data variable bound to its part, columns or file by
 * {@link DataBinder}, and each table checked against its variable's declaration.
 *
 * <p>A variable with a file of its own ({@code from "labels.npy"}) needs one row per example of
 * the whole dataset, in the dataset's order: a file dataset's rows, or a named dataset's training
 * examples followed by its test examples. Its rows are split where the dataset's are. A dataset
 * with a separate test file ({@code test_dataset}) has no such order to follow, so there a
 * variable takes columns of both files ({@code from columns[a:b]}) instead of a file of its own.
 */
public final class DataLoader {
  private DataLoader() {}

  /** Where the data comes from and how it is prepared: the train section's data settings. */
  public record Request(String dataset, String testDataset, boolean dynamicBinarization, long seed) {}

  /**
   * The data of the model declared in {@code modelFile} with {@code inputs}, as {@code r} asks.
   * Binding mistakes name the model file and line; data mistakes the data file, row and column.
   */
  public static DataSplit load(String modelFile, List<DataInput> inputs, Request r) {
    if (inputs.stream().anyMatch(TokenData::isTokens)) return TokenData.load(modelFile, inputs, r).split();
    boolean named = NamedDatasets.names().contains(r.dataset());
    Dataset mainFile = null;
    Dataset testFile = null;
    DataBinder.Description desc;
    if (named) {
      if (r.testDataset() != null) {
        throw new UserError("test_dataset " + r.testDataset() + " applies to a file dataset; " + r.dataset()
            + " has its own test examples (drop test_dataset, or give the training data as a file)");
      }
      desc = NamedDatasets.describe(r.dataset());
    } else {
      Path p = Path.of(r.dataset());
      if (!Files.exists(p) && !r.dataset().contains("/") && !r.dataset().contains(".")) {
        throw new UserError("unknown dataset '" + r.dataset() + "': use one of " + NamedDatasets.names() + " or a file path (IDX, CSV or NPY)");
      }
      mainFile = DataFiles.read(p);
      if (r.testDataset() != null) testFile = DataFiles.read(Path.of(r.testDataset()));
      else if (mainFile.rows() < 2) {
        throw new UserError(p + " holds " + mainFile.rows() + (mainFile.rows() == 1 ? " example" : " examples")
            + "; at least 2 are needed to hold one out for testing");
      }
      desc = DataBinder.Description.file(r.dataset(), mainFile.width());
    }
    DataBinder.Resolution res = DataBinder.resolve(inputs, desc);
    if (!res.problems().isEmpty()) {
      List<String> lines = new ArrayList<>();
      for (DataBinder.Problem p : res.problems()) {
        DataInput x = inputs.get(p.input());
        lines.add(modelFile + ":" + x.line() + ": data '" + x.name() + "' with dataset " + r.dataset() + ": " + p.message());
      }
      throw new UserError(String.join("\n", lines));
    }

    Map<String, TrainTest> partCache = new HashMap<>();
    Map<String, Dataset> train = new LinkedHashMap<>();
    Map<String, Dataset> test = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      DataInput x = inputs.get(i);
      DataBinder.Source s = res.sources().get(i);
      String decl = x.declaration();
      TrainTest tt;
      if (s instanceof DataBinder.Source.NamedPart p) {
        tt = partCache.computeIfAbsent(p.part().name(), part -> NamedDatasets.load(r.dataset(), part));
        tt = new TrainTest(prepare(tt.train(), x, r, decl), prepare(tt.test(), x, r, decl));
      } else if (s instanceof DataBinder.Source.OwnFile f) {
        tt = ownFile(x, f.path(), r, named, mainFile, partCache);
      } else {
        Dataset whole = mainFile;
        Dataset wholeTest = testFile;
        if (s instanceof DataBinder.Source.Columns c) {
          whole = columns(mainFile, c, x);
          if (testFile != null) wholeTest = columns(testFile, c, x);
        }
        tt = split(prepare(whole, x, r, decl), wholeTest == null ? null : prepare(wholeTest, x, r, decl));
      }
      train.put(x.name(), tt.train());
      test.put(x.name(), tt.test());
    }
    BoundData trainData = rows(train, "training");
    BoundData testData = rows(test, "test");
    if (r.dynamicBinarization()) {
      boolean any = inputs.stream().anyMatch(DataInput::binarizable);
      if (!any) {
        throw new UserError("binarize = dynamic turns data in [0, 1] into 0/1 values, but no data variable of " + modelFile
            + " is declared in [0, 1] or binary");
      }
      // Training draws a fresh binarization every step; the test set is binarized once, with a
      // fixed seed, so that every evaluation scores the same binary images (the usual protocol).
      Map<String, Dataset> bin = new LinkedHashMap<>(testData.tables());
      int k = 0;
      for (DataInput x : inputs) {
        if (!x.binarizable()) continue;
        Dataset t = bin.get(x.name());
        float[] b = new float[t.values().length];
        Binarize.dynamic(t.values(), b, new SplittableRandom(testSeed(r.seed(), k++)));
        bin.put(x.name(), new Dataset(t.origin() + " (binarized once)", t.rows(), t.width(), b, t.imageHeight(), t.imageWidth()));
      }
      testData = new BoundData(bin);
    }
    return new DataSplit(trainData, testData);
  }

  /** The seed of the k-th binarized variable's one-off test binarization (the first keeps the historical seed). */
  static long testSeed(long seed, int k) {
    return k == 0 ? seed ^ 0x5EEDL : NoiseMix.mix(seed ^ 0x5EEDL, k);
  }

  /** SplitMix64 step, for seeds derived from a seed and a counter. */
  private static final class NoiseMix {
    static long mix(long a, long b) {
      long z = a + b * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }

  /** Checks every table has the same number of rows (they always should: each is cut from the same rows). */
  private static BoundData rows(Map<String, Dataset> tables, String which) {
    int n = -1;
    String first = null;
    for (var e : tables.entrySet()) {
      if (n < 0) {
        n = e.getValue().rows();
        first = e.getKey();
      } else if (e.getValue().rows() != n) {
        throw new UserError("the " + which + " data of '" + e.getKey() + "' (" + e.getValue().origin() + ") has " + e.getValue().rows()
            + " rows but that of '" + first + "' has " + n + "; every data variable needs one row per example");
      }
    }
    return new BoundData(tables);
  }

  /** The whole table split: a separate test table, or else the last 10% held out. */
  private static TrainTest split(Dataset all, Dataset test) {
    if (test != null) return new TrainTest(all, test);
    int held = heldOut(all.rows());
    return new TrainTest(all.slice(0, all.rows() - held), all.slice(all.rows() - held, all.rows()));
  }

  static int heldOut(int rows) {
    return Math.max(1, rows / 10);
  }

  private static Dataset columns(Dataset file, DataBinder.Source.Columns c, DataInput x) {
    int to = c.to() == null ? file.width() : c.to();
    if (to > file.width() || c.from() >= to) {
      throw new UserError(file.origin() + " has " + file.width() + " values per row, too few for " + c + " of data '" + x.name() + "'");
    }
    return file.columns(c.from(), to, file.origin() + " " + c);
  }

  /** A variable's own file: as many rows as the whole dataset, split where it is. */
  private static TrainTest ownFile(DataInput x, String path, Request r, boolean named, Dataset mainFile, Map<String, TrainTest> partCache) {
    if (r.testDataset() != null) {
      throw new UserError("data '" + x.name() + "' reads its own file " + path + ", but the test examples come from a separate file ("
          + r.testDataset() + "), so its rows cannot be matched to them; put " + x.name() + "'s values in columns of both files and bind"
          + " them with `from columns[a:b]`, or drop test_dataset so that the last 10% of every file is held out");
    }
    Path p = Path.of(path);
    if (!Files.exists(p)) throw new UserError("data file of '" + x.name() + "' not found: " + path);
    Dataset own = prepare(DataFiles.read(p), x, r, x.declaration());
    if (named) {
      TrainTest primary = partCache.computeIfAbsent(NamedDatasets.IMAGES, part -> NamedDatasets.load(r.dataset(), part));
      int nTrain = primary.train().rows();
      int total = nTrain + primary.test().rows();
      if (own.rows() != total) {
        throw new UserError(path + " holds " + own.rows() + " rows but " + r.dataset() + " has " + total + " examples (" + nTrain
            + " training, then " + primary.test().rows() + " test); data '" + x.name() + "' needs one row per example, in that order");
      }
      return new TrainTest(own.slice(0, nTrain), own.slice(nTrain, total));
    }
    if (own.rows() != mainFile.rows()) {
      throw new UserError(path + " holds " + own.rows() + " rows but the dataset " + r.dataset() + " holds " + mainFile.rows()
          + "; data '" + x.name() + "' needs one row per example of the dataset, in the same order");
    }
    return split(own, null);
  }

  /**
   * Class indices for a one-hot variable become one-hot rows; then the table is checked against
   * the declaration (width, domain, one 1 per group). Data that will be binarized on the fly only
   * has to be in [0, 1].
   */
  private static Dataset prepare(Dataset d, DataInput x, Request r, String decl) {
    if (x.singleOneHot() && d.width() == 1 && x.width() > 1 && d.rows() > 0) {
      d = ClassIndices.toOneHot(d, x.width(), d.origin(), decl);
    }
    ValueDomain domain = r.dynamicBinarization() && x.domain() == ValueDomain.BINARY ? ValueDomain.UNIT_INTERVAL : x.domain();
    DataChecks.check(d, x.width(), domain, x.groupSize(), decl);
    return d;
  }
}
