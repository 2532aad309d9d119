package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.ok;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.cli.pictures.ImageGrid;
import vaec.cli.pictures.LatentScatter;

/**
 * The run's pictures of latent space on tiny models: latents.png (the test set's guide means,
 * coloured by label when the data have labels, one colour otherwise) and interpolation.png (rows
 * from one test image's code to the next one's, between the two images), whose decoded ends are
 * the reconstructions; discrete latents are held, or the picture is skipped with the reason.
 */
class CliLatentPicturesTest {
  @TempDir static Path dir;

  static Path csv;
  static Path tiny;
  static Path tinyRun;
  static CliRunner.Result tinyResult;

  /** Cells of TinyModel's 4 x 4 images drawn at scale 2. */
  static final int CELL = 4 * 2;
  /** TinyModel's test set: the last 10% of 80 rows, so 4 pairs. */
  static final int PAIRS = 4;
  /** A row: the first image, 10 decoded points, the second image. */
  static final int COLUMNS = RunOutputs.INTERPOLATION_STEPS + 2;

  /** Long enough (20 epochs of 9 steps) that the two patterns decode to clearly different images. */
  @BeforeAll
  static void runTheTinyModel() {
    System.setProperty("java.awt.headless", "true");
    csv = TinyModel.writeLines(dir.resolve("data.csv"), TinyModel.csvLines(TinyModel.rows()));
    tiny = TinyModel.write(dir.resolve("tiny.vae"), TinyModel.text(csv));
    tinyRun = dir.resolve("tiny-run");
    tinyResult = ok("run", tiny, "--out", tinyRun, "--eval-samples", 2, "--epochs", 20, "--lr", 0.01);
    CliRunner.assertNoStackTrace(tinyResult);
  }

  /** Pixels of exactly this colour in the picture. */
  static int count(BufferedImage img, int rgb) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) n++;
    return n;
  }

  /** The gray level of every image pixel of the 4 x 4 cell at column {@code c} of row {@code r} of a grid. */
  static int[] cell(BufferedImage img, int r, int c) {
    int left = c * (CELL + ImageGrid.GAP);
    int top = r * (CELL + ImageGrid.GAP);
    int[] g = new int[16];
    for (int i = 0; i < 16; i++) g[i] = img.getRGB(left + 2 * (i % 4), top + 2 * (i / 4)) & 0xFF;
    return g;
  }

  /** The original (side 0) or reconstruction (side 1) of test row {@code i} in reconstructions.png, 4 pairs to a row. */
  static int[] pair(BufferedImage img, int i, int side) {
    int pairWidth = 2 * CELL + ImageGrid.GAP;
    int left = (i % 4) * (pairWidth + ImageGrid.GAP + ImageGrid.SEPARATOR + ImageGrid.GAP) + side * (CELL + ImageGrid.GAP);
    int top = (i / 4) * (CELL + ImageGrid.GAP);
    int[] g = new int[16];
    for (int k = 0; k < 16; k++) g[k] = img.getRGB(left + 2 * (k % 4), top + 2 * (k / 4)) & 0xFF;
    return g;
  }

  /** Equal to within one gray level (decode and reconstruct agree to float rounding, which can tip a level). */
  static void assertSameImage(int[] want, int[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      int k = i;
      assertTrue(Math.abs(want[i] - got[i]) <= 1, () -> what + ": pixel " + k + " is " + got[k] + ", expected " + want[k]);
    }
  }

  @Test
  void theRunListsBothPictures() {
    String wrote = tinyResult.stdout().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElse("");
    assertTrue(wrote.contains(tinyRun.resolve("latents.png").toString()), tinyResult::toString);
    assertTrue(wrote.contains(tinyRun.resolve("interpolation.png").toString()), tinyResult::toString);
  }

  @Test
  void withoutLabelsTheScatterHasOneColour() throws IOException {
    BufferedImage img = CliEndToEndTest.assertPng(tinyRun.resolve("latents.png"));
    assertEquals(LatentScatter.WIDTH, img.getWidth());
    assertEquals(LatentScatter.HEIGHT, img.getHeight());
    assertTrue(count(img, 0x1F77B4) > 8, "the points, in the palette's first colour");
    assertEquals(0, count(img, 0xFF7F0E), "no second colour");
  }

  @Test
  void eachInterpolationRowRunsFromOneTestImageToTheNextThroughTheirReconstructions() throws IOException {
    BufferedImage img = CliEndToEndTest.assertPng(tinyRun.resolve("interpolation.png"));
    assertEquals(COLUMNS * CELL + (COLUMNS - 1) * ImageGrid.GAP, img.getWidth());
    assertEquals(PAIRS * CELL + (PAIRS - 1) * ImageGrid.GAP, img.getHeight());
    BufferedImage recon = CliEndToEndTest.assertPng(tinyRun.resolve("reconstructions.png"));
    for (int r = 0; r < PAIRS; r++) {
      assertSameImage(pair(recon, 2 * r, 0), cell(img, r, 0), "row " + r + ", first image");
      assertSameImage(pair(recon, 2 * r, 1), cell(img, r, 1), "row " + r + ", the first image's code decoded");
      assertSameImage(pair(recon, 2 * r + 1, 1), cell(img, r, COLUMNS - 2), "row " + r + ", the second image's code decoded");
      assertSameImage(pair(recon, 2 * r + 1, 0), cell(img, r, COLUMNS - 1), "row " + r + ", second image");
    }
  }

  // ---- labels, conditioning inputs, discrete latents ----

  /** TinyModel's rows with the pattern's class (0: left half, 1: top half) as two one-hot columns. */
  static Path labelledCsv() {
    List<String> lines = new ArrayList<>();
    List<String> base = TinyModel.csvLines(TinyModel.rows());
    for (int n = 0; n < base.size(); n++) lines.add(base.get(n) + (n % 2 == 0 ? ",1,0" : ",0,1"));
    return TinyModel.writeLines(dir.resolve("labelled.csv"), lines);
  }

  @Test
  void withLabelsTheScatterHasOneColourPerLabel() throws IOException {
    Path model = TinyModel.write(dir.resolve("labelled.vae"), CliDataTest.labelledModel(labelledCsv()));
    Path out = dir.resolve("labelled-run");
    ok("run", model, "--out", out, "--eval-samples", 2, "--epochs", 20, "--lr", 0.01);
    BufferedImage img = CliEndToEndTest.assertPng(out.resolve("latents.png"));
    assertEquals(LatentScatter.WIDTH, img.getWidth());
    assertEquals(LatentScatter.HEIGHT, img.getHeight());
    // 8 test rows, labels 0 and 1 alternating: both colours, and no third.
    assertTrue(count(img, 0x1F77B4) > 8, "label 0");
    assertTrue(count(img, 0xFF7F0E) > 8, "label 1");
    assertEquals(0, count(img, 0x2CA02C), "no third label");
    BufferedImage interp = CliEndToEndTest.assertPng(out.resolve("interpolation.png"));
    assertEquals(COLUMNS * CELL + (COLUMNS - 1) * ImageGrid.GAP, interp.getWidth());
  }

  @Test
  void aConditionalModelHoldsEachRowsConditionAtItsFirstImage() throws IOException {
    String text = CliDataTest.labelledModel(labelledCsv())
        .replace("network encoder = MLP(16 -> 8 -> 4)", "network encoder = MLP(18 -> 8 -> 4)")
        .replace("network decoder = MLP(2 -> 8 -> 16)", "network decoder = MLP(4 -> 8 -> 16)")
        .replace("network cls     = Linear(2 -> 2)\n", "")
        .replace("split(encoder(x))", "split(encoder(concat(x, y)))")
        .replace("x ~ Bernoulli(logits = decoder(z))", "x ~ Bernoulli(logits = decoder(concat(z, y)))")
        .replace("  y ~ Categorical(logits = cls(z))\n", "");
    Path model = TinyModel.write(dir.resolve("conditional.vae"), text);
    Path out = dir.resolve("conditional-run");
    ok("run", model, "--out", out, "--eval-samples", 2, "--epochs", 20, "--lr", 0.01);
    BufferedImage img = CliEndToEndTest.assertPng(out.resolve("interpolation.png"));
    assertEquals(PAIRS * CELL + (PAIRS - 1) * ImageGrid.GAP, img.getHeight());
    // At the first image's code and condition, the decoding is its reconstruction.
    BufferedImage recon = CliEndToEndTest.assertPng(out.resolve("reconstructions.png"));
    for (int r = 0; r < PAIRS; r++) assertSameImage(pair(recon, 2 * r, 1), cell(img, r, 1), "row " + r);
    BufferedImage scatter = CliEndToEndTest.assertPng(out.resolve("latents.png"));
    assertTrue(count(scatter, 0xFF7F0E) > 8, "coloured by the conditioning input's classes");
  }

  @Test
  void discreteLatentsAreHeldAndWithNoRealLatentThePictureIsSkipped() throws IOException {
    String mixed = TinyModel.withOneHotLatent(TinyModel.text(csv));
    Path model = TinyModel.write(dir.resolve("mixed.vae"), mixed);
    Path out = dir.resolve("mixed-run");
    CliRunner.Result r = ok("run", model, "--out", out, "--eval-samples", 2, "--epochs", 20, "--lr", 0.01);
    assertTrue(r.stdout().contains("interpolation.png: z interpolated; c (one-hot) held at the guide mean of each row's first image"),
        r::toString);
    BufferedImage img = CliEndToEndTest.assertPng(out.resolve("interpolation.png"));
    assertEquals(COLUMNS * CELL + (COLUMNS - 1) * ImageGrid.GAP, img.getWidth());
    BufferedImage recon = CliEndToEndTest.assertPng(out.resolve("reconstructions.png"));
    for (int row = 0; row < PAIRS; row++) assertSameImage(pair(recon, 2 * row, 1), cell(img, row, 1), "row " + row);

    String binary = TinyModel.variant(TinyModel.variant(TinyModel.variant(TinyModel.variant(TinyModel.text(csv),
        "latent z : real[2]", "latent z : binary[2]"),
        "prior z ~ Normal(0, 1)", "prior z ~ Bernoulli(logits = 0)"),
        "  mu, log_var = split(encoder(x))\n  z ~ Normal(mu, exp(0.5 * log_var))\n", "  z ~ Bernoulli(logits = encoder(x))\n"),
        "MLP(16 -> 8 -> 4,", "MLP(16 -> 8 -> 2,");
    Path sbn = TinyModel.write(dir.resolve("binary.vae"), binary);
    Path sbnOut = dir.resolve("binary-run");
    CliRunner.Result b = ok("run", sbn, "--out", sbnOut, "--eval-samples", 2);
    CliRunner.assertNoStackTrace(b);
    assertTrue(b.stdout().contains("interpolation.png not written: no latent of tiny is real-valued (z (binary))"), b::toString);
    assertFalse(Files.exists(sbnOut.resolve("interpolation.png")));
    assertFalse(b.stdout().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElse("").contains("interpolation.png"), b::toString);
    CliEndToEndTest.assertPng(sbnOut.resolve("latents.png"));
  }
}
