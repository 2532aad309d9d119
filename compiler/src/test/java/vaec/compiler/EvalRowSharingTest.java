package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.ops.FirstOfGroup;
import vaec.runtime.train.Evaluator;
import vaec.runtime.train.ModelState;

/**
 * The evaluation's passes repeat each example over its K importance samples (or the objective's
 * k samples); they run the guide's networks once per example ({@link Graph#sharedOver}, as
 * training does under iwae). The shared passes must give the numbers of the old passes that ran
 * every op on all K rows: the same checkpoint, the same evaluation noise streams, within 1e-6
 * relative (only float rounding of differently sized matrix products may differ). Checked on the
 * reference VAE (bench/reference.vae's 784-400-20 architecture) at K = 50 (whole examples per pass)
 * and K = 5000 (each example's samples in two passes of 2,500), and on a model with an enumerated
 * latent inside each sample, for log p(x), the IWAE bound and the objective's terms.
 */
class EvalRowSharingTest {
  /** The reference VAE of DiagnosticsTest with its train block replaced by OBJECTIVE. */
  static final String REFERENCE = DiagnosticsTest.GOOD.replace("model vae\n", "")
      .replace("train { optimizer = Adam(lr = 1e-3); batch = 128; epochs = 10; seed = 0 }", "train { OBJECTIVE }");

  static BoundData data(int rows, int width, long seed, boolean unit) {
    Random r = new Random(seed);
    float[] v = new float[rows * width];
    for (int i = 0; i < v.length; i++) v[i] = unit ? r.nextFloat() : (float) r.nextGaussian();
    return BoundData.of("x", new Dataset("test", rows, width, v, 0, 0));
  }

  static void close(double expected, double actual, String what) {
    close(expected, actual, what, 0);
  }

  /**
   * To 1e-6 of the larger of |expected| and {@code scale}: the two paths' encoder products have
   * different row counts, for which OpenBLAS may sum in different orders (its Haswell kernels do).
   * A KL term sums per dimension sigma^2 - 1 - log sigma^2 + mu^2, terms of order 1 that cancel to
   * a small total for a fresh model, so its rounding is relative to its width, not to the total.
   */
  static void close(double expected, double actual, String what, double scale) {
    assertTrue(Double.isFinite(expected) && Double.isFinite(actual), what + ": " + expected + " vs " + actual);
    assertEquals(expected, actual, 1e-6 * Math.max(Math.abs(expected), scale), what + ": replicated " + expected + ", shared " + actual);
  }

  /** The shared copy of the log-weight graph runs the encoder on 1/k of the rows. */
  static void encoderRunsOncePerExample(CompiledModel m, int k, int atLeast) {
    Graph shared = m.logWeight().sharedOver(k);
    assertTrue(shared.nodes().stream().anyMatch(n -> n.op() instanceof FirstOfGroup), "no first_of_group");
    long perExample = shared.nodes().stream().filter(n -> n.kind() == Node.Kind.OP && n.rowGroup() == k).count();
    assertTrue(perExample >= atLeast, "only " + perExample + " ops run once per example");
    assertSame(m.logWeight(), m.logWeight().sharedOver(1));
  }

  @Test
  void referenceVaeGivesTheReplicatedBounds() {
    CompiledModel m = Compiler.compile(new SourceFile("reference.vae", REFERENCE.replace("OBJECTIVE", "objective = elbo"))).compiled();
    encoderRunsOncePerExample(m, 50, 3);
    ModelState s = ModelState.fresh(m);
    BoundData d = data(12, 784, 5, true);
    BoundData two = data(2, 784, 6, true);
    Evaluator plain = new Evaluator(s), shared = new Evaluator(s);
    plain.shareRows(false);
    close(plain.logLikelihood(d, 50, null), shared.logLikelihood(d, 50, null), "log p(x), K = 50");
    double lp = plain.logLikelihood(two, 5000, null);
    close(lp, shared.logLikelihood(two, 5000, null), "log p(x), K = 5000 in two passes an example");
    close(plain.iwaeBound(d, 7), shared.iwaeBound(d, 7), "IWAE-7");
    // the comparison sees the noise: another stream gives another estimate
    assertNotEquals(plain.iwaeBound(d, 7), plain.logLikelihood(d, 7, null));
  }

  @Test
  void referenceVaeUnderIwaeGivesTheReplicatedTerms() {
    CompiledModel m = Compiler.compile(new SourceFile("reference.vae", REFERENCE.replace("OBJECTIVE", "objective = iwae(samples = 5)"))).compiled();
    ModelState s = ModelState.fresh(m);
    BoundData d = data(9, 784, 7, true);
    Evaluator plain = new Evaluator(s), shared = new Evaluator(s);
    plain.shareRows(false);
    Evaluator.Terms a = plain.terms(d), b = shared.terms(d);
    // the reference VAE's z has 20 dimensions, each a KL term of order 1 (see close)
    for (int t = 0; t < a.values().length; t++) close(a.values()[t], b.values()[t], a.names().get(t).label(), 20);
    for (var e : a.kl().entrySet()) close(e.getValue(), b.kl().get(e.getKey()), "KL of " + e.getKey(), 20);
  }

  @Test
  void enumeratedLatentInsideEachSampleGivesTheReplicatedBounds() {
    CompiledModel m = IwaeRowSharingTest.compile(IwaeTest.MIXED, "objective = iwae(samples = 3)");
    encoderRunsOncePerExample(m, 40, 1);
    ModelState s = ModelState.fresh(m);
    BoundData d = data(30, 1, 8, false);
    Evaluator plain = new Evaluator(s), shared = new Evaluator(s);
    plain.shareRows(false);
    close(plain.logLikelihood(d, 40, null), shared.logLikelihood(d, 40, null), "log p(x), K = 40");
    close(plain.logLikelihood(d.slice(0, 2), 5000, null), shared.logLikelihood(d.slice(0, 2), 5000, null), "log p(x), K = 5000");
    Evaluator.Terms a = plain.terms(d), b = shared.terms(d);
    for (int t = 0; t < a.values().length; t++) close(a.values()[t], b.values()[t], a.names().get(t).label());
    for (var e : a.kl().entrySet()) close(e.getValue(), b.kl().get(e.getKey()), "KL of " + e.getKey());
  }
}
