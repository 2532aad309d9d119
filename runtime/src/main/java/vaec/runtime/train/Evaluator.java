package vaec.runtime.train;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.Dataset;
import vaec.runtime.exec.Executor;
import vaec.runtime.graph.Graph;
import vaec.runtime.model.CompiledModel;

/**
 * Test-time quantities of a model: the ELBO, the importance-sampled estimate of log p(x)
 * (000 section 7.1, 003: log (1/K) sum_k p(x, z_k) / q(z_k | x), z_k ~ q), samples from the prior
 * and reconstructions. Evaluation noise comes from its own stream of the run's generator, so the
 * same checkpoint always gives the same numbers.
 */
public final class Evaluator {
  private static final int ROWS_PER_PASS = 4096;

  private final ModelState state;
  private final Map<String, Executor> executors = new HashMap<>();

  public Evaluator(ModelState state) { this.state = state; }

  /** Means per example, in nats: loss = -ELBO = reconstruction + kl. */
  public record Elbo(double loss, double reconstruction, double kl) {}

  public Elbo elbo(Dataset d) {
    CompiledModel m = state.model;
    Batches b = new Batches(d);
    double loss = 0, rec = 0, kl = 0;
    long pass = 0;
    for (int from = 0; from < d.rows(); from += ROWS_PER_PASS) {
      int n = Math.min(ROWS_PER_PASS, d.rows() - from);
      Executor ex = executor("evaluate", m.evaluate(), n);
      b.gather(range(from, n), ex.input(m.dataName()));
      ex.drawNoise(state.noise, -1_000_000 - pass++);
      ex.forward();
      loss += ex.value("loss").sumNumber().doubleValue();
      rec += ex.value("reconstruction").sumNumber().doubleValue();
      kl += ex.value("kl").sumNumber().doubleValue();
    }
    return new Elbo(loss / d.rows(), rec / d.rows(), kl / d.rows());
  }

  /** Mean over examples of the K-sample importance estimate of log p(x), in nats. */
  public double logLikelihood(Dataset d, int k, java.util.function.IntConsumer progress) {
    CompiledModel m = state.model;
    Batches b = new Batches(d);
    int perPass = Math.max(1, ROWS_PER_PASS / k);
    double total = 0;
    long pass = 0;
    for (int from = 0; from < d.rows(); from += perPass) {
      int n = Math.min(perPass, d.rows() - from);
      Executor ex = executor("iw", m.logWeight(), n * k);
      int[] idx = new int[n * k];
      for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) idx[i * k + j] = from + i;
      b.gather(idx, ex.input(m.dataName()));
      ex.drawNoise(state.noise, -2_000_000 - pass++);
      ex.forward();
      double[] lw = ex.value("log_weight").toDoubleVector();
      for (int i = 0; i < n; i++) total += logMeanExp(lw, i * k, k);
      if (progress != null) progress.accept(from + n);
    }
    return total / d.rows();
  }

  static double logMeanExp(double[] v, int off, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) max = Math.max(max, v[off + j]);
    if (max == Double.NEGATIVE_INFINITY) return max;
    double s = 0;
    for (int j = 0; j < k; j++) s += Math.exp(v[off + j] - max);
    return max + Math.log(s / k);
  }

  /** Likelihood means for {@code n} draws from the prior, one row each. */
  public float[][] samplePrior(int n, long stream) {
    Executor ex = executor("prior", state.model.priorSample(), n);
    ex.drawNoise(state.noise, -3_000_000 - stream);
    ex.forward();
    return rows(ex.value("mean_" + state.model.dataName()));
  }

  /** Likelihood means at the guide's mean for the first {@code n} rows of {@code d}. */
  public float[][] reconstruct(Dataset d, int n) {
    Executor ex = executor("recon", state.model.reconstruct(), n);
    new Batches(d).gather(range(0, n), ex.input(state.model.dataName()));
    ex.forward();
    return rows(ex.value("mean_" + state.model.dataName()));
  }

  private Executor executor(String kind, Graph g, int batch) {
    return executors.computeIfAbsent(kind + "@" + batch, k -> new Executor(g, batch, state.params));
  }

  private static float[][] rows(INDArray a) {
    return a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
  }

  private static int[] range(int from, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = from + i;
    return idx;
  }
}
