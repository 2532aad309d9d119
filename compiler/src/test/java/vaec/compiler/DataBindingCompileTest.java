package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vaec.compiler.emit.Summary;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.ClassIndices;
import vaec.runtime.data.DataBinding;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * Several data variables: each is bound to its part of the dataset and fed to the graphs (the
 * ELBO of images and labels is the images' ELBO plus the labels' log-likelihood, row by row), a
 * variable only read is a conditioning input, and binding mistakes are diagnostics at
 * file:line:col against the train section's named dataset.
 */
class DataBindingCompileTest {
  /** The guide's scale is 1e-20, so z is the encoder's output exactly (in float32) and the ELBO has no noise. */
  static final String IMAGES_ONLY = """
      model a
      data   x : real[784] in [0, 1]
      latent z : real[2]
      network enc = Linear(784 -> 2)
      network dec = Linear(2 -> 784)
      prior z ~ Normal(0, 1)
      guide z ~ Normal(enc(x), 1e-20)
      likelihood x ~ Bernoulli(logits = dec(z))
      train { dataset = mnist_digits }
      """;

  static final String IMAGES_AND_LABELS = """
      model b
      data   x : real[784] in [0, 1]
      data   y : onehot[10] from labels
      latent z : real[2]
      network enc = Linear(784 -> 2)
      network dec = Linear(2 -> 784)
      network cls = Linear(2 -> 10)
      prior z ~ Normal(0, 1)
      guide z ~ Normal(enc(x), 1e-20)
      likelihood {
        x ~ Bernoulli(logits = dec(z))
        y ~ Categorical(logits = cls(z))
      }
      train { dataset = mnist_digits }
      """;

  static CompiledModel compile(String text) {
    return Compiler.compile(new SourceFile("m.vae", text)).compiled();
  }

  static CompileError fail(String text) {
    return assertThrows(CompileError.class, () -> Compiler.compile(new SourceFile("m.vae", text)));
  }

  /** The per-example negative ELBO of each of the first {@code n} test rows, one evaluation per row. */
  static double[] perExample(ModelState s, BoundData test, int n) {
    Evaluator ev = new Evaluator(s);
    double[] out = new double[n];
    for (int r = 0; r < n; r++) out[r] = ev.terms(test.slice(r, r + 1)).loss();
    return out;
  }

  @Test
  void theLabelsAreBoundAndScoredRowByRow() {
    CompiledModel a = compile(IMAGES_ONLY);
    CompiledModel b = compile(IMAGES_AND_LABELS);
    assertEquals(List.of("x", "y"), b.data().stream().map(DataInput::name).toList());
    assertEquals(new DataBinding.Part("labels"), b.input("y").binding());
    assertTrue(b.input("y").scored());
    DataSplit da = DataLoader.load("a.vae", a.data(), new DataLoader.Request("mnist_digits", null, false, 0));
    DataSplit db = DataLoader.load("b.vae", b.data(), new DataLoader.Request("mnist_digits", null, false, 0));
    // Both models draw enc and dec from the same seed in the same order; cls comes after them.
    ModelState sa = ModelState.fresh(a);
    ModelState sb = ModelState.fresh(b);
    for (String p : List.of("enc.0.W", "enc.0.b", "dec.0.W", "dec.0.b")) {
      assertEquals(sa.params().value(p), sb.params().value(p), p);
    }
    // The classifier ignores z (zero weights) and its bias makes each class's log-probability distinct.
    float[] bias = {0.3f, -1.2f, 2.0f, 0.7f, -0.4f, 1.1f, -2.3f, 0.05f, 1.6f, -0.9f};
    sb.params().value("cls.0.W").assign(0);
    sb.params().value("cls.0.b").assign(org.nd4j.linalg.factory.Nd4j.createFromArray(bias).reshape(sb.params().value("cls.0.b").shape()));
    double lse = 0;
    for (float v : bias) lse += Math.exp(v);
    lse = Math.log(lse);

    int n = 40;
    double[] la = perExample(sa, da.test(), n);
    double[] lb = perExample(sb, db.test(), n);
    int[] labels = ClassIndices.of(vaec.runtime.data.NamedDatasets.load("mnist_digits", "labels").test());
    for (int r = 0; r < n; r++) {
      double minusLogPy = lse - bias[labels[r]];
      assertEquals(la[r] + minusLogPy, lb[r], 2e-3, "row " + r + " (label " + labels[r] + ")");
    }
    // And the whole test set's mean agrees the same way.
    double mean = 0;
    for (int r = 0; r < labels.length; r++) mean += (lse - bias[labels[r]]) / labels.length;
    assertEquals(new Evaluator(sa).terms(da.test()).loss() + mean, new Evaluator(sb).terms(db.test()).loss(), 2e-3);
  }

  static final String CVAE = """
      model cvae
      data   x : real[784] in [0, 1] from images
      data   y : onehot[10] from labels
      latent z : real[2]
      network enc = Linear(794 -> 4)
      network dec = Linear(12 -> 784)
      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(enc(concat(x, y)))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood x ~ Bernoulli(logits = dec(concat(z, y)))
      train { dataset = mnist_digits }
      """;

  @Test
  void dataOnlyReadIsAConditioningInputThatPriorSamplingTakes() {
    Compiler.Compilation c = Compiler.compile(new SourceFile("m.vae", CVAE));
    CompiledModel m = c.compiled();
    assertFalse(m.input("y").scored());
    assertEquals(List.of("y"), m.conditioning().stream().map(DataInput::name).toList());
    assertTrue(m.priorSample().inputs().containsKey("y"), "prior sampling reads the condition");
    assertFalse(m.priorSample().inputs().containsKey("x"));
    String summary = Summary.of(c);
    assertTrue(summary.contains("y          onehot[10]                 conditioning input (read, not scored)"), summary);
    assertTrue(summary.contains("from mnist_digits labels"), summary);

    // The condition changes the samples: the same noise under two labels gives different means.
    ModelState s = ModelState.fresh(m);
    Evaluator ev = new Evaluator(s);
    float[][] three = new float[2][10];
    three[0][3] = 1;
    three[1][3] = 1;
    float[][] seven = new float[2][10];
    seven[0][7] = 1;
    seven[1][7] = 1;
    float[][] a = ev.samplePrior(2, 5, Map.of("y", three)).get("x");
    float[][] a2 = ev.samplePrior(2, 5, Map.of("y", three)).get("x");
    float[][] b = ev.samplePrior(2, 5, Map.of("y", seven)).get("x");
    assertEquals(a[0][100], a2[0][100]);
    assertTrue(a[0][100] != b[0][100] || a[1][200] != b[1][200]);
  }

  @Test
  void dataNeitherScoredNorReadIsAnError() {
    CompileError e = fail(IMAGES_ONLY.replace("data   x : real[784] in [0, 1]\n", "data   x : real[784] in [0, 1]\ndata   y : onehot[10] from labels\n"));
    assertEquals(1, e.diagnostics().size(), e.getMessage());
    assertTrue(e.getMessage().startsWith("m.vae:3:8: error: data 'y' is declared but never scored or read"), e.getMessage());
  }

  @Test
  void bindingMistakesAreDiagnosticsAtTheirDeclaration() {
    CompileError unbound = fail(IMAGES_AND_LABELS.replace("onehot[10] from labels", "onehot[10]"));
    assertTrue(unbound.getMessage().contains("m.vae:3:8: error: data 'y' is bound to nothing; parts of mnist_digits: images, labels;"
        + " write `data y : onehot[10] from labels`"), unbound.getMessage());
    CompileError unknown = fail(IMAGES_AND_LABELS.replace("from labels", "from lables"));
    assertTrue(unknown.getMessage().contains("m.vae:3:23: error: dataset mnist_digits has no part 'lables'; its parts are images, labels"),
        unknown.getMessage());
    CompileError width = fail(IMAGES_AND_LABELS.replace("y : onehot[10] from labels", "y : real[784] from labels")
        .replace("Categorical(logits = cls(z))", "Normal(dec(z), 1)"));
    assertTrue(width.getMessage().contains("m.vae:3:22: error: 'y' is declared real[784] but part 'labels' of mnist_digits holds one-hot"
        + " labels of 10 classes (10 values per example); write `data y : onehot[10] from labels`"), width.getMessage());
    CompileError columns = fail(IMAGES_AND_LABELS.replace("from labels", "from columns[0:10]"));
    assertTrue(columns.getMessage().contains("m.vae:3:23: error: `from columns[0:10]` takes columns of a file dataset"), columns.getMessage());
  }

  @Test
  void columnRangesAreCheckedForFileDatasetsAtCompileTime() {
    String file = IMAGES_AND_LABELS.replace("dataset = mnist_digits", "dataset = \"d.csv\"")
        .replace("data   x : real[784] in [0, 1]", "data   x : real[784] in [0, 1] from columns[0:784]");
    Compiler.compile(new SourceFile("m.vae", file.replace("from labels", "from columns[784:794]")));
    Compiler.compile(new SourceFile("m.vae", file.replace("from labels", "from columns[784:785]")));   // one column of class indices
    Compiler.compile(new SourceFile("m.vae", file.replace("from labels", "from \"labels.npy\"")));
    CompileError e = fail(file.replace("from labels", "from columns[784:790]"));
    assertTrue(e.getMessage().contains("m.vae:3:23: error: columns[784:790] are 6 columns but 'y' is declared onehot[10] (width 10)"),
        e.getMessage());
    CompileError empty = fail(file.replace("from labels", "from columns[790:784]"));
    assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
  }

  @Test
  void modelsWithoutADatasetSettingAreBoundWhenTheDataIsLoaded() {
    // No dataset in the train section: the default (mnist_digits) is not the model's own, so a
    // 16-wide variable is not checked against its images until data is loaded.
    Compiler.compile(new SourceFile("m.vae", IMAGES_ONLY.replace("train { dataset = mnist_digits }", "").replace("784", "16")));
    fail(IMAGES_ONLY.replace("784", "16"));
  }
}
