package vaec.runtime.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.exec.Executor;
import vaec.runtime.graph.Graph;

/**
 * Free-running decoding of an autoregressive token likelihood ({@code w ~ Tokens(logits =
 * decoder(concat(z, w)))}): the sampling and decoding graphs take w as an input and give each
 * position's probabilities as the likelihood's mean; since position t's probabilities read only
 * positions before t, running the graph with the first t positions filled and reading position t
 * is p(w_t | w_<t, z). Each sequence is filled one position at a time, L passes in all, until it
 * draws the end token. Padding, the begin token and ids the vocabulary leaves unused are never
 * drawn (the decoder is never trained to give them): the step distribution is renormalized over
 * the other ids, those from the end token up to {@code used}.
 */
public final class SequenceSampler {
  private SequenceSampler() {}

  /** The scored token variable of the model, or null. */
  public static DataInput tokenVariable(vaec.runtime.model.CompiledModel m) {
    for (DataInput x : m.data()) if (x.scored() && x.domain() == ValueDomain.TOKENS) return x;
    return null;
  }

  /**
   * One token from a position's probabilities {@code p[from .. from + V)}: with
   * {@code temperature} 0 the most probable id; else a draw from p^(1/T), renormalized, padding
   * and begin excluded.
   */
  public static int drawToken(double[] p, int from, int vocab, double temperature, SplittableRandom rng) {
    return drawToken(p, from, vocab, vocab, temperature, rng);
  }

  /** {@link #drawToken} among the ids below {@code used} only. */
  public static int drawToken(double[] p, int from, int vocab, int used, double temperature, SplittableRandom rng) {
    double[] q = stepDistribution(p, from, vocab, used, temperature);
    if (temperature == 0) {
      int best = Vocabulary.EOS;
      for (int k = 0; k < vocab; k++) if (q[k] > q[best]) best = k;
      return best;
    }
    double u = rng.nextDouble();
    double acc = 0;
    int last = Vocabulary.EOS;
    for (int k = 0; k < vocab; k++) {
      if (q[k] <= 0) continue;
      acc += q[k];
      last = k;
      if (u < acc) return k;
    }
    return last;
  }

  /** The distribution {@link #drawToken} draws from (greedy: the tempered one at T = 1). */
  public static double[] stepDistribution(double[] p, int from, int vocab, double temperature) {
    return stepDistribution(p, from, vocab, vocab, temperature);
  }

  /** {@link #stepDistribution} over the ids below {@code used} only (the others get 0). */
  public static double[] stepDistribution(double[] p, int from, int vocab, int used, double temperature) {
    double[] q = new double[vocab];
    int end = Math.max(Vocabulary.EOS + 1, Math.min(used, vocab));
    double t = temperature == 0 ? 1 : temperature;
    double max = 0;
    for (int k = Vocabulary.EOS; k < end; k++) max = Math.max(max, p[from + k]);
    double sum = 0;
    for (int k = Vocabulary.EOS; k < end; k++) {
      q[k] = max <= 0 ? 0 : Math.exp(Math.log(Math.max(p[from + k], 1e-300) / max) / t);
      sum += q[k];
    }
    for (int k = 0; k < vocab; k++) q[k] = sum > 0 ? q[k] / sum : (k == Vocabulary.EOS ? 1 : 0);
    return q;
  }

  /**
   * Fills {@code n} sequences of {@code length} ids one position at a time: {@code probs} maps
   * the current ids (n rows, unfilled positions padding) to each position's probabilities
   * (n rows of length*V).
   */
  public static float[][] decode(UnaryOperator<float[][]> probs, int n, int length, int vocab, double temperature, long seed) {
    return decode(probs, n, length, vocab, vocab, temperature, seed);
  }

  /** {@link #decode} drawing only ids below {@code used} (the vocabulary's size). */
  public static float[][] decode(UnaryOperator<float[][]> probs, int n, int length, int vocab, int used, double temperature, long seed) {
    float[][] w = new float[n][length];
    boolean[] done = new boolean[n];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int t = 0; t < length; t++) {
      float[][] p = probs.apply(w);
      boolean any = false;
      for (int r = 0; r < n; r++) {
        if (done[r]) continue;
        double[] row = new double[p[r].length];
        for (int k = 0; k < row.length; k++) row[k] = p[r][k];
        int tok = t == length - 1 ? Vocabulary.EOS : drawToken(row, t * vocab, vocab, used, temperature, rng);
        w[r][t] = tok;
        if (tok == Vocabulary.EOS) done[r] = true;
        else any = true;
      }
      if (!any) break;
    }
    return w;
  }

  /** Samples from the prior: z drawn once per row (the same noise every pass), then the tokens. */
  public static float[][] samplePrior(ModelState state, DataInput x, int n, int used, double temperature, long seed) {
    Graph g = state.model.priorSample();
    Executor ex = new Executor(g, n, state.params);
    String mean = "mean_" + x.name();
    return decode(w -> {
      setInput(ex, x.name(), w);
      ex.drawNoise(state.noise, -5_000_000 - seed);
      ex.forward();
      return ex.value(mean).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
    }, n, x.width(), x.groupSize(), used, temperature, seed);
  }

  /** Decodes given latent values (every latent of the model, n rows each) with the decode graph. */
  public static float[][] decodeLatents(ModelState state, DataInput x, Map<String, float[][]> latents, int used, double temperature, long seed) {
    Graph g = state.model.decode();
    int n = latents.values().iterator().next().length;
    Executor ex = new Executor(g, n, state.params);
    for (var e : latents.entrySet()) setInput(ex, e.getKey(), e.getValue());
    String mean = "mean_" + x.name();
    return decode(w -> {
      setInput(ex, x.name(), w);
      ex.drawNoise(state.noise, -6_000_000 - seed);
      ex.forward();
      return ex.value(mean).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
    }, n, x.width(), x.groupSize(), used, temperature, seed);
  }

  /** The guide means of the first {@code n} rows of {@code d}, by latent (from {@link Evaluator#encode}). */
  public static Map<String, float[][]> guideMeans(Evaluator ev, vaec.runtime.data.BoundData d, int n) {
    Evaluator.Encoding enc = ev.encode(d.slice(0, n));
    Map<String, float[][]> out = new LinkedHashMap<>();
    int col = 0;
    for (int i = 0; i < enc.latents().size(); i++) {
      int w = enc.widths().get(i);
      float[][] rows = new float[n][];
      for (int r = 0; r < n; r++) rows[r] = Arrays.copyOfRange(enc.rows()[r], col, col + w);
      out.put(enc.latents().get(i), rows);
      col += w;
    }
    return out;
  }

  /** Sets an input of the graph; a likelihood that does not read its own sequence has no such input, and needs none. */
  private static void setInput(Executor ex, String name, float[][] v) {
    if (!ex.graph().inputs().containsKey(name)) return;
    INDArray in = ex.input(name);
    in.assign(Nd4j.createFromArray(v).castTo(in.dataType()).reshape(in.shape()));
  }
}
