package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.DataLoader;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * {@link Evaluator#decode}: the likelihood means at latent values given by the caller. At the
 * guide's means it gives what {@link Evaluator#reconstruct} gives (the reconstruct graph decodes
 * exactly there), for one latent, two latents in a hierarchy, a discrete latent (its guide mean is
 * a vector of class probabilities), a conditioning input and two scored variables; the parameters
 * are a fresh initialisation, so nothing here depends on training.
 */
class DecodeTest {
  static final int ROWS = 40;

  static CompiledModel example(String name) {
    try {
      Path file = EmitGoldenTest.EXAMPLES.resolve(name);
      return Compiler.compile(new SourceFile("examples/" + name, Files.readString(file))).compiled();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BoundData test(CompiledModel m) {
    return DataLoader.load(m.file(), m.data(), new DataLoader.Request("mnist_digits", null, m.config().dynamicBinarization(), 0)).test().slice(0, ROWS);
  }

  /** The guide means of an encoding, split into one table per latent. */
  static Map<String, float[][]> perLatent(Evaluator.Encoding enc) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    int col = 0;
    for (int i = 0; i < enc.latents().size(); i++) {
      int w = enc.widths().get(i);
      float[][] part = new float[enc.rows().length][w];
      for (int r = 0; r < part.length; r++) System.arraycopy(enc.rows()[r], col, part[r], 0, w);
      out.put(enc.latents().get(i), part);
      col += w;
    }
    return out;
  }

  static Map<String, float[][]> conditions(CompiledModel m, BoundData d) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (DataInput c : m.conditioning()) {
      float[][] rows = new float[d.rows()][c.width()];
      for (int r = 0; r < d.rows(); r++) d.get(c.name()).copyRow(r, rows[r], 0);
      out.put(c.name(), rows);
    }
    return out;
  }

  static void assertClose(float[][] want, float[][] got, double tol, String what) {
    assertEquals(want.length, got.length, what);
    for (int r = 0; r < want.length; r++) {
      assertEquals(want[r].length, got[r].length, what);
      for (int j = 0; j < want[r].length; j++) {
        int rr = r;
        int jj = j;
        assertEquals(want[r][j], got[r][j], tol, () -> what + " row " + rr + " column " + jj);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"vae.vae", "hierarchical_vae.vae", "mixture_vae.vae", "cvae.vae", "labelled_vae.vae", "categorical_vae.vae"})
  void decodingTheGuideMeansGivesTheReconstructions(String file) {
    CompiledModel m = example(file);
    BoundData d = test(m);
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    Evaluator.Encoding enc = ev.encode(d);
    Map<String, float[][]> recon = ev.reconstruct(d, ROWS);
    Map<String, float[][]> decoded = ev.decode(perLatent(enc), conditions(m, d));
    assertEquals(recon.keySet(), decoded.keySet(), file);
    for (String x : recon.keySet()) assertClose(recon.get(x), decoded.get(x), 1e-5, file + " " + x);
  }

  @Test
  void eachRowIsDecodedOnItsOwnAndLargeBatchesArePassedInParts() {
    CompiledModel m = example("cvae.vae");
    BoundData d = test(m);
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    Map<String, float[][]> z = perLatent(ev.encode(d));
    Map<String, float[][]> y = conditions(m, d);
    float[][] want = ev.decode(z, y).get("x");
    // 5,000 rows (more than one pass of 4,096) cycling through the 40: each row decodes as alone.
    int n = 5000;
    float[][] zz = new float[n][];
    float[][] yy = new float[n][];
    for (int r = 0; r < n; r++) {
      zz[r] = z.get("z")[(r * 7) % ROWS];
      yy[r] = y.get("y")[(r * 7) % ROWS];
    }
    float[][] got = ev.decode(Map.of("z", zz), Map.of("y", yy)).get("x");
    for (int r : new int[] {0, 1, 39, 4095, 4096, 4097, 4999}) {
      assertClose(new float[][] {want[(r * 7) % ROWS]}, new float[][] {got[r]}, 1e-5, "row " + r);
    }
    float[][] single = ev.decode(Map.of("z", new float[][] {z.get("z")[5]}), Map.of("y", new float[][] {y.get("y")[5]})).get("x");
    assertClose(new float[][] {want[5]}, single, 1e-5, "row 5 alone");
  }

  @Test
  void theConditionAndTheLatentEachChangeTheDecoding() {
    CompiledModel m = example("cvae.vae");
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    float[][] z = new float[2][20];
    z[1][0] = 3;
    float[][] three = new float[2][10];
    three[0][3] = three[1][3] = 1;
    float[][] seven = new float[2][10];
    seven[0][7] = seven[1][7] = 1;
    float[][] a = ev.decode(Map.of("z", z), Map.of("y", three)).get("x");
    float[][] b = ev.decode(Map.of("z", z), Map.of("y", seven)).get("x");
    assertNotEquals(0.0, maxDifference(a[0], b[0]), "the label reaches the decoder");
    assertNotEquals(0.0, maxDifference(a[0], a[1]), "the latent reaches the decoder");
    for (float v : a[0]) assertTrue(v >= 0 && v <= 1, "Bernoulli means are probabilities: " + v);
  }

  static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    return max;
  }

  @Test
  void missingOrMisshapenInputsAreNamed() {
    CompiledModel m = example("cvae.vae");
    Evaluator ev = new Evaluator(ModelState.fresh(m));
    float[][] z = new float[2][20];
    float[][] y = new float[2][10];
    String noY = assertThrows(IllegalArgumentException.class, () -> ev.decode(Map.of("z", z), Map.of())).getMessage();
    assertTrue(noY.contains("conditioning input y"), noY);
    String noZ = assertThrows(IllegalArgumentException.class, () -> ev.decode(Map.of(), Map.of("y", y))).getMessage();
    assertTrue(noZ.contains("latent z"), noZ);
    String rows = assertThrows(IllegalArgumentException.class, () -> ev.decode(Map.of("z", new float[3][20]), Map.of("y", y))).getMessage();
    assertTrue(rows.contains("3 rows") || rows.contains("2 rows"), rows);
    String width = assertThrows(IllegalArgumentException.class, () -> ev.decode(Map.of("z", new float[2][19]), Map.of("y", y))).getMessage();
    assertTrue(width.contains("19 values, expected 20"), width);
    String unknown = assertThrows(IllegalArgumentException.class,
        () -> ev.decode(Map.of("z", z, "w", z), Map.of("y", y))).getMessage();
    assertTrue(unknown.contains("no latent w"), unknown);
    assertEquals(List.of("x"), List.copyOf(ev.decode(Map.of("z", z), Map.of("y", y)).keySet()));
  }
}
