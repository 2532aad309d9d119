package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.compiler.emit.Summary;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.ops.NearestCode;
import vaec.runtime.ops.StraightThrough;

/**
 * Codebook latents (VQ-VAE): the plan and its summary, the straight-through gradient, the
 * codebook and commitment gradients against their closed forms, and the diagnostics of bad models.
 */
class VqTest {
  static final String MODEL = """
      model tvq
      data   x : real[6] in [0, 1]
      latent z : codes[3, 2]
      network encoder = Linear(6 -> 6)
      network decoder = MLP(6 -> 5 -> 6, activation = tanh)
      prior z ~ UniformCodes(4)
      guide z ~ VQ(encoder(x), codes = 4) USING
      likelihood x ~ Bernoulli(logits = decoder(z))
      train { batch = 8; epochs = 1; seed = 0 }
      """;

  static String model(String using) { return MODEL.replace("USING", using); }

  static Compiler.Compilation compile(String text) { return Compiler.compile(new SourceFile("m.vae", text)); }

  static CompileError fail(String text) { return DiagnosticsTest.fail(text); }

  @Test
  void planSummaryAndReportedTerms() {
    var c = compile(model(""));
    var lp = c.plan().of("z");
    assertEquals("vq", lp.estimator().keyword());
    String s = Summary.of(c);
    assertTrue(s.contains("codes[3, 2]"), s);
    assertTrue(s.contains("straight-through"), s);
    assertTrue(s.contains("codebook ||sg[z_e] - e||^2 weight 1, commitment ||z_e - sg[e]||^2 weight 0.25"), s);
    assertTrue(s.contains("constant: log 4 = 1.3863 nats per position, 2.77 nats for 2 positions"), s);
    List<String> outputs = c.compiled().terms().stream().map(t -> t.output()).toList();
    assertEquals(List.of("loss", "reconstruction", "kl", "codebook_z", "commitment_z", "perplexity_z"), outputs);
    for (String o : outputs) {
      assertNotNull(c.compiled().train().outputs().get(o), o);
      assertNotNull(c.compiled().evaluate().outputs().get(o), o);
    }
    var ema = compile(model("using vq(update = ema, decay = 0.9, restart_dead = 10)"));
    String se = Summary.of(ema);
    assertTrue(se.contains("exponential moving averages (decay 0.9") && se.contains("commitment ||z_e - sg[e]||^2 weight 0.25"), se);
    assertTrue(se.contains("unused for 10 steps"), se);
    assertEquals(List.of("loss", "reconstruction", "kl", "commitment_z", "perplexity_z"),
        ema.compiled().terms().stream().map(t -> t.output()).toList());
    List<String> params = ema.compiled().params().stream().map(p -> p.name()).toList();
    assertTrue(params.containsAll(List.of("z.codebook", "z.ema_count", "z.ema_sum", "z.ema_steps", "z.code_age")), params.toString());
  }

  record Run(CompiledModel m, ParameterStore store, Executor train, INDArray x) {}

  static Run run(String text, long seed) {
    CompiledModel m = compile(text).compiled();
    ParameterStore store = new ParameterStore(m.params().stream().map(p -> new ParamEntry(p.name(), p.shape())).toList(), DataType.DOUBLE);
    Random r = new Random(seed);
    for (long i = 0; i < store.values().length(); i++) store.values().putScalar(i, r.nextGaussian() * 0.7);
    Executor train = new Executor(m.train(), 8, store);
    INDArray x = train.input("x");
    for (long i = 0; i < x.length(); i++) x.putScalar(i, r.nextDouble());
    train.forward();
    train.backward();
    return new Run(m, store, train, x);
  }

  static Node find(Graph g, Class<?> op) {
    for (Node n : g.nodes()) if (n.kind() == Node.Kind.OP && op.isInstance(n.op())) return n;
    throw new AssertionError("no " + op.getSimpleName() + " in the graph");
  }

  /**
   * The encoder output's gradient is the gradient at the quantized value, unchanged, plus the
   * commitment term's 2 beta (z_e - e) / batch; with beta = 0 the two are equal exactly. The
   * codebook's gradient is the codebook term's: (2 / batch) sum over the positions choosing k of (e_k - z_e).
   */
  @Test
  void straightThroughGradientAndClosedFormCodebookAndCommitmentGradients() {
    for (double beta : new double[] {0.0, 0.25, 1.5}) {
      Run r = run(model("using vq(commitment = " + beta + ")"), 11);
      Node st = find(r.m.train(), StraightThrough.class);
      Node ze = st.inputs().get(1);
      Node idxNode = find(r.m.train(), NearestCode.class);
      INDArray gValue = r.train.gradient(st);
      INDArray gZe = r.train.gradient(ze);
      INDArray zeV = r.train.value(ze);
      INDArray e = r.train.value(st);
      INDArray idx = r.train.value(idxNode);
      double scale = 0;
      for (int b = 0; b < 8; b++) {
        for (int j = 0; j < 6; j++) {
          double expected = gValue.getDouble(b, j) + 2 * beta * (zeV.getDouble(b, j) - e.getDouble(b, j)) / 8;
          assertEquals(expected, gZe.getDouble(b, j), 1e-12, "beta " + beta + " row " + b + " column " + j);
          scale = Math.max(scale, Math.abs(gValue.getDouble(b, j)));
        }
      }
      assertTrue(scale > 1e-4, "the decoder's gradient reaches the code values");
      INDArray gBook = r.store.grad("z.codebook");
      double[][] expected = new double[4][3];
      for (int b = 0; b < 8; b++) {
        for (int p = 0; p < 2; p++) {
          int k = idx.getInt(b, p);
          for (int j = 0; j < 3; j++) expected[k][j] += 2 * (e.getDouble(b, j * 2 + p) - zeV.getDouble(b, j * 2 + p)) / 8;
        }
      }
      for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) assertEquals(expected[k][j], gBook.getDouble(k, j), 1e-12, "code " + k);
      // the reported terms: ||z_e - e||^2 per row, and beta times it
      for (int b = 0; b < 8; b++) {
        double sq = 0;
        for (int j = 0; j < 6; j++) sq += Math.pow(zeV.getDouble(b, j) - e.getDouble(b, j), 2);
        assertEquals(sq, r.train.value("codebook_z").getDouble(b, 0), 1e-12);
        assertEquals(beta * sq, r.train.value("commitment_z").getDouble(b, 0), 1e-12);
      }
      // -ELBO = reconstruction + 2 log 4
      for (int b = 0; b < 8; b++) {
        assertEquals(2 * Math.log(4), r.train.value("kl").getDouble(b, 0), 1e-12);
      }
    }
  }

  /** Under EMA updates the codebook gets no gradient: only the encoder's commitment term is in the loss. */
  @Test
  void emaLeavesTheCodebookWithoutGradient() {
    Run r = run(model("using vq(update = ema)"), 12);
    assertEquals(0.0, r.store.grad("z.codebook").norm2Number().doubleValue());
    double encoder = 0;
    for (var p : r.m.params()) if (p.name().startsWith("encoder")) encoder += r.store.grad(p.name()).norm2Number().doubleValue();
    assertTrue(encoder > 0, "the commitment and the decoder's gradient reach the encoder");
  }

  @Test
  void diagnostics() {
    // the encoder's output must be positions x width wide
    var d = DiagnosticsTest.only(fail(model("").replace("Linear(6 -> 6)", "Linear(6 -> 5)").replace("MLP(6 -> 5", "MLP(6 -> 5")));
    assertEquals(7, d.span().line());
    assertTrue(d.message().contains("width 5") && d.message().contains("width 6"), d.message());
    assertTrue(d.hint().contains("codes[3, 2]"), d.hint());
    // K < 2, at the argument
    d = DiagnosticsTest.only(fail(model("").replace("codes = 4)", "codes = 1)").replace("UniformCodes(4)", "UniformCodes(1)")
        .replace("UniformCodes(1)", "UniformCodes(4)")));
    assertEquals(7, d.span().line());
    assertTrue(d.message().contains("codes") && d.message().contains("from 2") && d.message().contains("got 1"), d.message());
    d = DiagnosticsTest.only(fail(model("").replace("codes = 4)", "codes = 2.5)")));
    assertTrue(d.message().contains("got 2.5"), d.message());
    // prior and guide disagree on K
    d = DiagnosticsTest.only(fail(model("").replace("UniformCodes(4)", "UniformCodes(8)")));
    assertEquals(7, d.span().line());
    assertTrue(d.message().contains("8 codes") && d.message().contains("has 4"), d.message());
    // a VQ guide on a real latent
    d = fail(model("").replace("codes[3, 2]", "real[6]")).diagnostics().get(0);
    assertTrue(d.message().contains("VQ draws codes values") || d.message().contains("draws codes"), d.message());
    // codes with one size; codes as data
    d = fail(model("").replace("codes[3, 2]", "codes[6]")).diagnostics().get(0);
    assertEquals(3, d.span().line());
    assertTrue(d.message().contains("codes takes the width of each code vector, then the positions"), d.message());
    d = fail(model("").replace("data   x : real[6] in [0, 1]", "data   x : codes[3, 2]")).diagnostics().get(0);
    assertTrue(d.message().contains("codes is a latent type"), d.message());
    // other estimators refuse a deterministic quantizer
    for (String e : List.of("score_function", "enumerate", "reparameterized", "concrete")) {
      d = DiagnosticsTest.only(fail(model("using " + e)));
      assertEquals(7, d.span().line());
      assertTrue(d.message().contains("cannot serve latent 'z'"), d.message());
    }
    // vq refuses a latent without a codebook
    d = DiagnosticsTest.only(fail(DiagnosticsTest.GOOD.replace("z ~ Normal(mu, exp(0.5 * log_var))", "z ~ Normal(mu, exp(0.5 * log_var)) using vq")));
    assertTrue(d.message().contains("vq trains codebook latents"), d.message());
    // unknown setting, bad value
    d = DiagnosticsTest.only(fail(model("using vq(update = adam)")));
    assertTrue(d.message().contains("unknown update 'adam'"), d.message());
  }
}
