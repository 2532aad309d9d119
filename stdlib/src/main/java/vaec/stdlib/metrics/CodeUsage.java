package vaec.stdlib.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vaec.runtime.exec.Executor;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.ops.CodePerplexity;

/**
 * How a codebook latent uses its codes over a data set, declared by its estimator
 * ({@link vaec.stdlib.estimators.VqStraightThrough}): the evaluation graph's output {@code output}
 * holds the index of the code each (example, position) pair chose, among {@code codes}; the
 * metric counts them and reports the perplexity of the code frequencies and the codes in use.
 */
public record CodeUsage(String latent, String output, int codes) implements EvalMetric {
  public CodeUsage {
    if (codes < 1) throw new IllegalArgumentException("codes: " + codes);
  }

  @Override public Pass pass() { return Pass.EVALUATE; }

  @Override
  public Tally start() {
    long[] counts = new long[codes];
    return new Tally() {
      @Override public void add(Executor pass, int examples) {
        for (double v : pass.value(output).dup('c').data().asDouble()) counts[(int) v]++;
      }

      @Override public Value value() { return new Counts(latent, counts.clone()); }
    };
  }

  /** A codebook latent's usage: {@code counts[k]} the (example, position) pairs that chose code k. */
  public record Counts(String latent, long[] counts) implements EvalMetric.Value {
    public int codes() { return counts.length; }

    /** exp of the entropy of the code frequencies: 1 (one code) to {@link #codes} (all alike). */
    public double perplexity() {
      double[] c = new double[counts.length];
      for (int k = 0; k < c.length; k++) c[k] = counts[k];
      return CodePerplexity.perplexity(c);
    }

    /** The codes chosen at least once. */
    public int inUse() {
      int n = 0;
      for (long c : counts) if (c > 0) n++;
      return n;
    }

    /** "codebook z: perplexity 3.21 of 6 codes; 5 of 6 codes in use (83.3%)". */
    @Override
    public List<String> lines() {
      return List.of(String.format(Locale.ROOT, "codebook %s: perplexity %.2f of %d codes; %d of %d codes in use (%.1f%%)", latent,
          perplexity(), codes(), inUse(), codes(), 100.0 * inUse() / codes()));
    }

    /** The perplexity, the share of codes in use and the number of codes. */
    @Override
    public Map<String, Object> entries() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("test_code_perplexity_" + latent, perplexity());
      out.put("codes_in_use_" + latent, (double) inUse() / codes());
      out.put("codes_" + latent, codes());
      return out;
    }
  }
}
