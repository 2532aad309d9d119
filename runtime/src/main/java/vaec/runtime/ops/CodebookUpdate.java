package vaec.runtime.ops;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The codebook's updates outside the gradient, made after each training step (never in
 * evaluation), from the step's encoder outputs z_e and their chosen codes. Inputs (z_e, indices,
 * codebook, then the EMA state when {@code ema}: counts [codes], sums [codes x width], steps [1],
 * then, when {@code restartAfter} > 0, ages [codes]). Every state tensor is a parameter that no
 * loss reaches (the optimizer never moves it) and that checkpoints carry, so a resumed run
 * continues exactly.
 *
 * <p><b>EMA</b> (van den Oord et al. 2017, appendix A.1), with t the number of updates so far:
 * <pre>
 *   N_k &lt;- decay N_k + (1 - decay) n_k          n_k: positions of the batch that chose k
 *   M_k &lt;- decay M_k + (1 - decay) s_k          s_k: the sum of their z_e
 *   N^_k = N_k / (1 - decay^t), M^_k = M_k / (1 - decay^t)        (bias correction of the zero start)
 *   N~_k = (N^_k + epsilon) / (n + codes epsilon) n,  n = sum_k N^_k  (Laplace smoothing)
 *   e_k  = M^_k / N~_k        (a code no position has chosen yet, N_k = 0, keeps its initial vector)
 * </pre>
 *
 * <p><b>Dead codes</b> ({@code restartAfter} = R &gt; 0): a code's age counts the steps since a
 * position last chose it; a code unused for R steps is moved onto an encoder output of the current
 * batch, taking the outputs farthest from their nearest code first (each at most once; by row
 * and position on a tie), and its age restarts. Under EMA its statistics restart as one
 * observation of that output. No randomness is involved, so a resumed run restarts the same codes.
 */
public final class CodebookUpdate implements Op {
  private final int positions;
  private final int width;
  private final int codes;
  private final boolean ema;
  private final double decay;
  private final double epsilon;
  private final int restartAfter;

  public CodebookUpdate(int positions, int width, int codes, boolean ema, double decay, double epsilon, int restartAfter) {
    if (ema && !(decay > 0 && decay < 1)) throw new IllegalArgumentException("decay must be in (0, 1)");
    if (ema && !(epsilon > 0)) throw new IllegalArgumentException("epsilon must be positive");
    this.positions = positions;
    this.width = width;
    this.codes = codes;
    this.ema = ema;
    this.decay = decay;
    this.epsilon = epsilon;
    this.restartAfter = restartAfter;
  }

  @Override
  public int outputWidth(List<Node> in) {
    int expected = 3 + (ema ? 3 : 0) + (restartAfter > 0 ? 1 : 0);
    if (in.size() != expected) throw new IllegalArgumentException("codebook update: " + in.size() + " inputs, expected " + expected);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { out.assign(0); }

  @Override public boolean differentiable() { return false; }
  @Override public boolean hasState() { return true; }

  @Override
  public void afterTrainingStep(INDArray[] in, INDArray out) {
    Codebooks.View z = Codebooks.View.of(in[0]);
    Codebooks.View idx = Codebooks.View.of(in[1]);
    INDArray bookArr = in[2].rank() == 2 ? in[2] : in[2].reshape(codes, width);
    Codebooks.View e = Codebooks.View.of(bookArr);
    long rows = in[0].rows();
    double[] n = new double[codes];
    double[][] sum = new double[codes][width];
    for (long r = 0; r < rows; r++) {
      for (int p = 0; p < positions; p++) {
        int k = Codebooks.code(idx, r, p);
        n[k]++;
        for (int j = 0; j < width; j++) sum[k][j] += z.get(r, (long) j * positions + p);
      }
    }
    int next = 3;
    Codebooks.View count = null;
    Codebooks.View sums = null;
    Codebooks.View steps = null;
    if (ema) {
      count = Codebooks.View.of(in[next++]);
      INDArray sumArr = in[next].rank() == 2 ? in[next] : in[next].reshape(codes, width);
      next++;
      sums = Codebooks.View.of(sumArr);
      steps = Codebooks.View.of(in[next++]);
      double t = steps.get(0) + 1;
      steps.put(0, t);
      double correction = 1 - Math.pow(decay, t);
      double total = 0;
      for (int k = 0; k < codes; k++) {
        double c = decay * count.get(k) + (1 - decay) * n[k];
        count.put(k, c);
        total += c / correction;
        for (int j = 0; j < width; j++) sums.put(k, j, decay * sums.get(k, j) + (1 - decay) * sum[k][j]);
      }
      for (int k = 0; k < codes; k++) {
        if (count.get(k) == 0) continue;   // a code no position has chosen yet keeps its initial vector
        double smoothed = (count.get(k) / correction + epsilon) / (total + codes * epsilon) * total;
        for (int j = 0; j < width; j++) e.put(k, j, sums.get(k, j) / correction / smoothed);
      }
    }
    if (restartAfter > 0) {
      Codebooks.View age = Codebooks.View.of(in[next]);
      List<Integer> dead = new ArrayList<>();
      for (int k = 0; k < codes; k++) {
        double a = n[k] > 0 ? 0 : age.get(k) + 1;
        age.put(k, a);
        if (a >= restartAfter) dead.add(k);
      }
      if (dead.isEmpty()) return;
      // Each (row, position)'s squared distance to the code it chose, before any restart.
      int total = (int) (rows * positions);
      double[] dist = new double[total];
      Integer[] order = new Integer[total];
      for (int i = 0; i < total; i++) {
        long r = i / positions;
        int p = i % positions;
        int k = Codebooks.code(idx, r, p);
        double d = 0;
        for (int j = 0; j < width; j++) {
          double v = z.get(r, (long) j * positions + p) - e.get(k, j);
          d += v * v;
        }
        dist[i] = d;
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> dist[a] != dist[b] ? Double.compare(dist[b], dist[a]) : Integer.compare(a, b));
      double correction = ema ? 1 - Math.pow(decay, steps.get(0)) : 1;
      for (int i = 0; i < dead.size() && i < total; i++) {
        int k = dead.get(i);
        long r = order[i] / positions;
        int p = order[i] % positions;
        for (int j = 0; j < width; j++) {
          double v = z.get(r, (long) j * positions + p);
          e.put(k, j, v);
          if (ema) sums.put(k, j, v * correction);
        }
        if (ema) count.put(k, correction);
        age.put(k, 0);
      }
    }
  }

  @Override
  public String describe() {
    return "codebook_update(" + (ema ? "ema decay " + decay + ", epsilon " + epsilon : "no ema")
        + (restartAfter > 0 ? ", restart after " + restartAfter + " unused steps" : "") + ")";
  }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
}
