package vaec.stdlib.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.TokenLogProb;
import vaec.runtime.ops.TokenSoftmax;
import vaec.stdlib.networks.RecurrentFamily.Cell;
import vaec.stdlib.networks.RecurrentFamily.Feed;

/**
 * GRU and LSTM networks, forward and backward through time in float64: every parameter's
 * gradient (and the condition's, for a decoder) against central finite differences, on a batch
 * of sequences of different lengths padded to L, so masking is exercised; padding leaves an
 * encoder's state alone; a teacher-forced decoder's log-likelihood is the sum of its
 * free-running step-by-step log-probabilities.
 */
class RecurrentNetworkTest {
  static final int L = 5, V = 7, E = 3, H = 4, C = 2;
  /** Rows of different lengths: 1, 2, 3 and 4 tokens, then the end token, then padding. */
  static final int[][] SEQS = {{4}, {5, 6}, {6, 4, 5}, {4, 4, 6, 5}};

  static float[][] ids(int length) {
    float[][] w = new float[SEQS.length][length];
    for (int r = 0; r < SEQS.length; r++) {
      for (int t = 0; t < SEQS[r].length; t++) w[r][t] = SEQS[r][t];
      w[r][SEQS[r].length] = Vocabulary.EOS;
    }
    return w;
  }

  static RecurrentNetwork encoder(Cell cell, int length, int layers, boolean mean) {
    return new RecurrentNetwork("enc", cell, length, V, E, H, layers, false, 0, Feed.BOTH, 0, 3, mean, Activation.TANH);
  }

  static RecurrentNetwork decoder(Cell cell, int layers, Feed feed) {
    return new RecurrentNetwork("dec", cell, L, V, E, H, layers, true, C, feed, 0, 0, false, Activation.IDENTITY);
  }

  /** A graph, its executor over float64 parameters filled from a fixed seed, and its ids input. */
  record Built(Graph g, Executor ex, ParameterStore store) {}

  static Built build(Graph g, int batch, long seed) {
    List<ParamEntry> layout = new ArrayList<>();
    for (Node p : g.params().values()) layout.add(new ParamEntry(p.name(), p.paramShape()));
    ParameterStore store = new ParameterStore(layout, DataType.DOUBLE);
    Random r = new Random(seed);
    for (Node p : g.params().values()) {
      INDArray v = store.value(p.name());
      for (long k = 0; k < v.length(); k++) v.putScalar(k, 0.6 * r.nextGaussian());
    }
    return new Built(g, new Executor(g, batch, store), store);
  }

  static void set(Executor ex, String name, float[][] v) {
    INDArray in = ex.input(name);
    for (int i = 0; i < v.length; i++) for (int j = 0; j < v[i].length; j++) in.putScalar(i, j, v[i][j]);
  }

  static void checkGradients(Built b, Node loss) {
    Executor ex = b.ex();
    ex.forward();
    ex.backward();
    double[] analytic = b.store().grads().toDoubleVector();
    INDArray flat = b.store().values();
    double h = 1e-6;
    for (long k = 0; k < flat.length(); k++) {
      double x0 = flat.getDouble(k);
      flat.putScalar(k, x0 + h);
      double up = mean(ex, loss);
      flat.putScalar(k, x0 - h);
      double down = mean(ex, loss);
      flat.putScalar(k, x0);
      double numeric = (up - down) / (2 * h);
      assertTrue(Math.abs(analytic[(int) k] - numeric) <= 1e-6 + 1e-5 * Math.abs(numeric),
          "d/dparam[" + k + "]: analytic " + analytic[(int) k] + ", numeric " + numeric);
    }
  }

  static double mean(Executor ex, Node loss) {
    ex.forward();
    return ex.value(loss).meanNumber().doubleValue();
  }

  @ParameterizedTest(name = "{0} encoder, {1} layers, mean pooling {2}")
  @CsvSource({"GRU, 1, false", "GRU, 2, true", "LSTM, 1, true", "LSTM, 2, false"})
  void encoderGradientsThroughTime(Cell cell, int layers, boolean mean) {
    Graph g = new Graph();
    Node w = g.input("w", L);
    Node out = encoder(cell, L, layers, mean).apply(g, SourceRef.NONE, w);
    Node weights = g.constantRow(new double[] {0.7, -1.3, 0.4});
    Node loss = g.apply(new RowSum(), SourceRef.NONE, g.apply(new Binary(Binary.Kind.MUL), SourceRef.NONE, out, weights));
    g.setLoss(loss);
    Built b = build(g, SEQS.length, 1);
    set(b.ex(), "w", ids(L));
    checkGradients(b, loss);
  }

  @ParameterizedTest(name = "{0} decoder, {1} layers, feed {2}")
  @CsvSource({"GRU, 1, BOTH", "GRU, 2, INITIAL", "LSTM, 1, STEP", "LSTM, 2, BOTH"})
  void decoderLikelihoodGradientsThroughTime(Cell cell, int layers, Feed feed) {
    Graph g = new Graph();
    Node w = g.input("w", L);
    Node z = g.param("z", SEQS.length, C);   // the condition gets a gradient too
    Node logits = decoder(cell, layers, feed).apply(g, SourceRef.NONE, g.apply(new Concat(), SourceRef.NONE, z, w));
    Node loss = g.apply(new TokenLogProb(L, V), SourceRef.NONE, w, logits);
    g.setLoss(loss);
    Built b = build(g, SEQS.length, 2);
    set(b.ex(), "w", ids(L));
    checkGradients(b, loss);
  }

  /** Padding leaves the state alone: the last state of a padded sequence equals that of an unpadded network. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"GRU", "LSTM"})
  void paddingDoesNotChangeTheEncoding(Cell cell) {
    double[][] got = new double[2][];
    int[] lengths = {L, L + 3};
    for (int i = 0; i < 2; i++) {
      Graph g = new Graph();
      Node out = encoder(cell, lengths[i], 2, false).apply(g, SourceRef.NONE, g.input("w", lengths[i]));
      g.output("out", out);
      Built b = build(g, SEQS.length, 3);   // same names and shapes, same seed: the same parameters
      set(b.ex(), "w", ids(lengths[i]));
      b.ex().forward();
      got[i] = b.ex().value(out).dup().data().asDouble();
    }
    for (int k = 0; k < got[0].length; k++) assertEquals(got[0][k], got[1][k], 1e-12, "output " + k);
  }

  /**
   * The teacher-forced log-likelihood of each sequence equals the sum of the log-probabilities of
   * its tokens read one step at a time from the free-running decoder, which sees only the tokens
   * before the step (later positions are padding).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"GRU", "LSTM"})
  void teacherForcedLikelihoodIsTheSumOfFreeRunningSteps(Cell cell) {
    Graph g = new Graph();
    Node w = g.input("w", L);
    Node z = g.input("z", C);
    Node logits = decoder(cell, 2, Feed.BOTH).apply(g, SourceRef.NONE, g.apply(new Concat(), SourceRef.NONE, z, w));
    Node lp = g.apply(new TokenLogProb(L, V), SourceRef.NONE, w, logits);
    Node probs = g.apply(new TokenSoftmax(V), SourceRef.NONE, logits);
    g.output("lp", lp);
    g.output("probs", probs);
    Built b = build(g, SEQS.length, 4);
    float[][] zs = {{0.3f, -1f}, {1.2f, 0.5f}, {-0.7f, 0.1f}, {0f, 2f}};
    set(b.ex(), "z", zs);
    float[][] full = ids(L);
    set(b.ex(), "w", full);
    b.ex().forward();
    double[] teacher = b.ex().value(lp).dup().data().asDouble();
    double[] stepwise = new double[SEQS.length];
    float[][] prefix = new float[SEQS.length][L];
    for (int t = 0; t < L; t++) {
      set(b.ex(), "w", prefix);
      b.ex().forward();
      INDArray p = b.ex().value(probs);
      for (int r = 0; r < SEQS.length; r++) {
        int tok = (int) full[r][t];
        if (tok != Vocabulary.PAD) stepwise[r] += Math.log(p.getDouble(r, (long) t * V + tok));
        prefix[r][t] = full[r][t];
      }
    }
    for (int r = 0; r < SEQS.length; r++) {
      assertEquals(teacher[r], stepwise[r], 1e-9, "row " + r);
      assertTrue(teacher[r] < 0);
    }
  }
}
