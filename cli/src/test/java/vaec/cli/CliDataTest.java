package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;
import static vaec.cli.CliRunner.userError;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.cli.pictures.ImageGrid;
import vaec.cli.pictures.LatentScatter;
import vaec.runtime.data.ClassIndices;
import vaec.runtime.data.NamedDatasets;

/**
 * Several data variables through the command line: a conditional VAE on the embedded digits and
 * their labels trains, samples one grid row per class (or the class given with --condition) and
 * encodes the test set with its labels; a model of images and labels bound to columns of a CSV
 * trains; binding mistakes are one clear message each.
 */
class CliDataTest {
  @TempDir static Path dir;

  /** A small conditional VAE: linear networks, 2-d code; 1 epoch of 18 steps of 500 digits. */
  static final String CVAE = """
      model cvae_small

      data   x : real[784] in [0, 1] from images
      data   y : onehot[10] from labels
      latent z : real[2]

      network enc = Linear(794 -> 4)
      network dec = MLP(12 -> 32 -> 784)

      prior z ~ Normal(0, 1)
      guide {
        mu, log_var = split(enc(concat(x, y)))
        z ~ Normal(mu, exp(0.5 * log_var))
      }
      likelihood x ~ Bernoulli(logits = dec(concat(z, y)))

      train {
        dataset = mnist_digits
        batch   = 500
        epochs  = 1
        seed    = 0
      }
      """;

  static Path cvae;
  static Path trained;

  @BeforeAll
  static void trainTheConditionalModel() {
    System.setProperty("java.awt.headless", "true");
    cvae = TinyModel.write(dir.resolve("cvae.vae"), CVAE);
    trained = dir.resolve("cvae-run");
    CliRunner.Result r = ok("run", cvae, "--out", trained, "--eval-samples", 2);
    CliRunner.assertNoStackTrace(r);
    assertTrue(r.stdout().contains("test log p(x | y) ~ "), r::toString);   // what it estimates, given the label
  }

  @Test
  void compileListsEachDataVariableWithItsRoleAndBinding() {
    CliRunner.Result r = ok("compile", cvae);
    assertTrue(r.stdout().contains("x          real[784] in [0, 1]        likelihood Bernoulli(logits)"), r::toString);
    assertTrue(r.stdout().contains("from mnist_digits images"), r::toString);
    assertTrue(r.stdout().contains("y          onehot[10]                 conditioning input (read, not scored)"), r::toString);
    assertTrue(r.stdout().contains("from mnist_digits labels"), r::toString);
  }

  @Test
  void theRunWritesAConditionedSampleGridOfTenRows() throws IOException {
    BufferedImage img = CliEndToEndTest.assertPng(trained.resolve("samples.png"));
    int cell = 28 * 2;
    assertEquals(10 * cell + 9 * ImageGrid.GAP, img.getHeight());
    assertEquals(8 * cell + 7 * ImageGrid.GAP, img.getWidth());
    CliEndToEndTest.assertPng(trained.resolve("reconstructions.png"));
  }

  @Test
  void theRunDrawsTheTestCodesByDigitAndInterpolatesBetweenTestDigits() throws IOException {
    BufferedImage scatter = CliEndToEndTest.assertPng(trained.resolve("latents.png"));
    assertEquals(LatentScatter.WIDTH, scatter.getWidth());
    assertEquals(LatentScatter.HEIGHT, scatter.getHeight());
    // Ten digits, ten colours of the palette (the Tableau 10, in label order).
    int[] palette = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};
    for (int d = 0; d < 10; d++) assertTrue(CliLatentPicturesTest.count(scatter, palette[d]) > 20, "digit " + d);
    BufferedImage img = CliEndToEndTest.assertPng(trained.resolve("interpolation.png"));
    int cell = 28 * 2;
    int columns = RunOutputs.INTERPOLATION_STEPS + 2;
    assertEquals(columns * cell + (columns - 1) * ImageGrid.GAP, img.getWidth());
    assertEquals(RunOutputs.INTERPOLATION_ROWS * cell + (RunOutputs.INTERPOLATION_ROWS - 1) * ImageGrid.GAP, img.getHeight());
  }

  @Test
  void sampleDrawsOneRowPerClassOrTheGivenClass() throws IOException {
    Path grid = dir.resolve("grid.png");
    CliRunner.Result r = ok("sample", cvae, "--checkpoint", trained.resolve("checkpoint.vaeckpt"), "-o", grid, "-n", 5);
    assertTrue(r.stdout().contains("wrote 50 samples of x"), r::toString);
    assertTrue(r.stdout().contains("rows: y = 0; y = 1;"), r::toString);
    BufferedImage img = CliEndToEndTest.assertPng(grid);
    int cell = 28 * 2;
    assertEquals(10 * cell + 9 * ImageGrid.GAP, img.getHeight());
    assertEquals(5 * cell + 4 * ImageGrid.GAP, img.getWidth());

    // Rows of the CSV are the samples in grid order; class 3 alone gives the fourth row's samples.
    Path all = dir.resolve("all.csv");
    Path three = dir.resolve("three.csv");
    ok("sample", cvae, "--checkpoint", trained.resolve("checkpoint.vaeckpt"), "-o", all, "-n", 4, "--seed", 9);
    ok("sample", cvae, "--checkpoint", trained.resolve("checkpoint.vaeckpt"), "-o", three, "-n", 40, "--seed", 9, "--condition", "y=3");
    List<String> a = Files.readAllLines(all);
    List<String> t = Files.readAllLines(three);
    assertEquals(40, a.size());
    assertEquals(40, t.size());
    // Same seed, same noise: sample i of the class-3 run matches sample i of the grid only where the grid had class 3.
    assertEquals(a.get(12), t.get(12));
    assertTrue(!a.get(0).equals(t.get(0)), "class 0 and class 3 give different means from the same noise");
  }

  @Test
  void conditionMistakesAreClearMessages() {
    Path ck = trained.resolve("checkpoint.vaeckpt");
    userError(new Object[] {"sample", cvae, "--checkpoint", ck, "--condition", "y=10"}, "--condition y=10", "0 to 9");
    userError(new Object[] {"sample", cvae, "--checkpoint", ck, "--condition", "q=1"}, "--condition q", "no data variable 'q'");
    userError(new Object[] {"sample", cvae, "--checkpoint", ck, "--condition", "y"}, "NAME=VALUE");
    userError(new Object[] {"sample", cvae, "--checkpoint", ck, "--condition", "y=nowhere.npy"}, "no such file");
  }

  @Test
  void encodeWritesEachTestExampleGuideMeanAndLabel() throws IOException {
    Path csv = dir.resolve("enc.csv");
    ok("encode", cvae, "--checkpoint", trained.resolve("checkpoint.vaeckpt"), "-o", csv);
    List<String> lines = Files.readAllLines(csv);
    assertEquals("z[0],z[1],label", lines.get(0));
    assertEquals(1001, lines.size());
    int[] labels = ClassIndices.of(NamedDatasets.load("mnist_digits", "labels").test());
    for (int r = 0; r < 1000; r++) {
      String[] cells = lines.get(r + 1).split(",");
      assertEquals(3, cells.length);
      assertEquals(labels[r], Integer.parseInt(cells[2]));
    }

    Path npy = dir.resolve("enc.npy");
    ok("encode", cvae, "--checkpoint", trained.resolve("checkpoint.vaeckpt"), "-o", npy);
    ByteBuffer m = npyBody(npy, "'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2)");
    String[] first = lines.get(1).split(",");
    assertEquals(Float.parseFloat(first[0]), m.getFloat(), 0f);
    assertEquals(Float.parseFloat(first[1]), m.getFloat(), 0f);
    ByteBuffer l = npyBody(dir.resolve("enc-labels.npy"), "'descr': '<i4', 'fortran_order': False, 'shape': (1000,)");
    long[] got = new long[1000];
    for (int i = 0; i < 1000; i++) got[i] = l.getInt();
    long[] want = new long[1000];
    for (int i = 0; i < 1000; i++) want[i] = labels[i];
    assertArrayEquals(want, got);
  }

  /** The body of an NPY 1.0 file whose header holds {@code dict}; the header is padded to a multiple of 64 bytes. */
  static ByteBuffer npyBody(Path p, String dict) throws IOException {
    byte[] b = Files.readAllBytes(p);
    assertEquals((byte) 0x93, b[0]);
    assertEquals("NUMPY", new String(b, 1, 5, java.nio.charset.StandardCharsets.ISO_8859_1));
    int len = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
    assertEquals(0, (10 + len) % 64);
    String header = new String(b, 10, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(header.contains(dict), header);
    return ByteBuffer.wrap(b, 10 + len, b.length - 10 - len).order(ByteOrder.LITTLE_ENDIAN);
  }

  // ---- a file dataset with several variables ----

  /** TinyModel's 80 rows with the pattern's class (0: left half, 1: top half) as two one-hot columns. */
  static Path labelledCsv() {
    List<String> lines = new ArrayList<>();
    List<String> base = TinyModel.csvLines(TinyModel.rows());
    for (int n = 0; n < base.size(); n++) lines.add(base.get(n) + (n % 2 == 0 ? ",1,0" : ",0,1"));
    return TinyModel.writeLines(dir.resolve("labelled.csv"), lines);
  }

  static String labelledModel(Path csv) {
    return """
        model labelled

        data   x : real[16] in [0, 1] from columns[0:16]
        data   y : onehot[2] from columns[16:18]
        latent z : real[2]

        network encoder = MLP(16 -> 8 -> 4)
        network decoder = MLP(2 -> 8 -> 16)
        network cls     = Linear(2 -> 2)

        prior z ~ Normal(0, 1)
        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var))
        }
        likelihood {
          x ~ Bernoulli(logits = decoder(z))
          y ~ Categorical(logits = cls(z))
        }
        train { dataset = "DATA"; batch = 8; epochs = 2; seed = 0 }
        """.replace("DATA", csv.toAbsolutePath().toString());
  }

  @Test
  void imagesAndLabelsFromColumnsOfOneFileTrainEvaluateAndEncode() throws IOException {
    Path csv = labelledCsv();
    Path model = TinyModel.write(dir.resolve("labelled.vae"), labelledModel(csv));
    Path out = dir.resolve("labelled-run");
    CliRunner.Result r = ok("run", model, "--out", out, "--eval-samples", 5);
    CliRunner.assertNoStackTrace(r);
    assertTrue(r.stdout().matches("(?s).*test log p\\([a-z]+, [a-z]+\\) ~ .*"), r::toString);   // both variables are scored
    String json = CliRunner.metricsText(out);
    double rec = CliRunner.number(json, "test_reconstruction");
    assertTrue(Double.isFinite(rec) && rec > 0, json);
    ok("eval", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--samples", 3);
    Path enc = dir.resolve("labelled-enc.csv");
    ok("encode", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "-o", enc);
    List<String> lines = Files.readAllLines(enc);
    assertEquals("z[0],z[1],label", lines.get(0));
    assertEquals(1 + 8, lines.size());   // the last 10% of 80 rows
    for (int i = 0; i < 8; i++) assertTrue(lines.get(1 + i).endsWith("," + ((72 + i) % 2)), lines.get(1 + i));
    ok("variance", model, "--checkpoint", out.resolve("checkpoint.vaeckpt"), "--steps", 3);
  }

  @Test
  void aRealValuedConditioningInputIsGivenAsAFile() throws IOException {
    Path csv = labelledCsv();
    String text = labelledModel(csv)
        .replace("data   y : onehot[2] from columns[16:18]", "data   c : real[2] from columns[16:18]")
        .replace("network encoder = MLP(16 -> 8 -> 4)", "network encoder = MLP(18 -> 8 -> 4)")
        .replace("network decoder = MLP(2 -> 8 -> 16)", "network decoder = MLP(4 -> 8 -> 16)")
        .replace("network cls     = Linear(2 -> 2)\n", "")
        .replace("split(encoder(x))", "split(encoder(concat(x, c)))")
        .replace("x ~ Bernoulli(logits = decoder(z))", "x ~ Bernoulli(logits = decoder(concat(z, c)))")
        .replace("  y ~ Categorical(logits = cls(z))\n", "")
        .replace("epochs = 2", "epochs = 1");
    Path model = TinyModel.write(dir.resolve("covariate.vae"), text);
    Path out = dir.resolve("covariate-run");
    ok("run", model, "--out", out, "--eval-samples", 2);
    CliEndToEndTest.assertPng(out.resolve("samples.png"));   // conditioned on the first test rows' values
    Path ck = out.resolve("checkpoint.vaeckpt");
    userError(new Object[] {"sample", model, "--checkpoint", ck}, "needs a value of the conditioning input 'c' (declared real[2])",
        "--condition c=FILE.npy");
    userError(new Object[] {"sample", model, "--checkpoint", ck, "--condition", "c=1"}, "a class index applies to a one-hot input");
    Path cond = TinyModel.writeLines(dir.resolve("cond.csv"), List.of("0.5,-1"));
    Path samples = dir.resolve("covariate.csv");
    ok("sample", model, "--checkpoint", ck, "--condition", "c=" + cond, "-n", 5, "-o", samples);
    assertEquals(5, Files.readAllLines(samples).size());
  }

  @Test
  void bindingMistakesAreOneClearMessageEach() {
    Path csv = labelledCsv();
    String text = labelledModel(csv);
    Path unbound = TinyModel.write(dir.resolve("unbound.vae"),
        TinyModel.variant(TinyModel.variant(text, " from columns[0:16]", ""), " from columns[16:18]", ""));
    userError(new Object[] {"run", unbound, "--out", dir.resolve("o1")}, unbound + ":3:", "data 'x' is bound to nothing",
        unbound + ":4:", "data 'y' is bound to nothing");

    Path part = TinyModel.write(dir.resolve("part.vae"), TinyModel.variant(text, "from columns[16:18]", "from labels"));
    userError(new Object[] {"run", part, "--out", dir.resolve("o2")}, part + ":4:", "is a file, which has no part 'labels'");
    // Against a named dataset given at run time, the same model's columns are a mistake.
    userError(new Object[] {"run", part, "--out", dir.resolve("o3"), "--dataset", "mnist_digits"}, part + ":3:",
        "takes columns of a file dataset, but mnist_digits is a named dataset with parts images, labels");

    Path width = TinyModel.write(dir.resolve("width.vae"), TinyModel.variant(text, "columns[16:18]", "columns[15:18]"));
    userError(new Object[] {"compile", width}, width + ":4:22: error: columns[15:18] are 3 columns but 'y' is declared onehot[2]");

    Path few = TinyModel.writeLines(dir.resolve("few.csv"), List.of("0", "1", "0"));
    Path own = TinyModel.write(dir.resolve("own.vae"), TinyModel.variant(text, "from columns[16:18]", "from \"" + few + "\""));
    userError(new Object[] {"run", own, "--out", dir.resolve("o4")}, few + " holds 3 rows but the dataset", "holds 80",
        "one row per example");

    Path named = TinyModel.write(dir.resolve("named.vae"), CVAE.replace("from labels", "from lables"));
    userError(new Object[] {"compile", named}, named + ":4:23: error: dataset mnist_digits has no part 'lables'");
    Path wide = TinyModel.write(dir.resolve("wide.vae"), CVAE.replace("y : onehot[10] from labels", "y : real[784] from labels")
        .replace("794", "1568").replace("12 ->", "786 ->"));
    userError(new Object[] {"run", wide}, wide + ":4:", "'y' is declared real[784] but part 'labels' of mnist_digits holds one-hot labels");
  }
}
