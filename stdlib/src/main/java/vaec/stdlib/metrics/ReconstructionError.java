package vaec.stdlib.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.exec.Executor;
import vaec.runtime.model.EvalMetric;

/**
 * The mean over the examples of a data set of the squared error, summed over columns, between
 * each scored variable and its reconstruction (the likelihood's mean at the guide's mean: the
 * reconstruct graph's "mean_X" outputs), by variable. A model-wide number, declared by an
 * estimator whose latents make the -ELBO say little about the reconstructions (a codebook
 * latent's KL term is a constant); {@code at} says where the latents are taken, as the printed
 * line words it.
 */
public record ReconstructionError(String at) implements EvalMetric {
  /** What a codebook latent's estimator declares: its reconstructions read the nearest codes. */
  public static final ReconstructionError AT_NEAREST_CODES = new ReconstructionError("at the nearest codes");

  private static final String MEAN = "mean_";

  @Override public Pass pass() { return Pass.RECONSTRUCT; }

  @Override
  public Tally start() {
    Map<String, Double> sums = new LinkedHashMap<>();
    long[] examples = {0};
    return new Tally() {
      @Override public void add(Executor pass, int n) {
        for (String o : pass.graph().outputs().keySet()) {
          if (!o.startsWith(MEAN)) continue;
          String x = o.substring(MEAN.length());
          INDArray diff = pass.value(o).sub(pass.input(x));
          sums.merge(x, diff.mul(diff).sumNumber().doubleValue(), Double::sum);
        }
        examples[0] += n;
      }

      @Override public Value value() {
        Map<String, Double> means = new LinkedHashMap<>(sums);
        means.replaceAll((x, v) -> v / examples[0]);
        return new Errors(at, means);
      }
    };
  }

  /** Each scored variable's mean squared error per example, in the reconstruct graph's order. */
  public record Errors(String at, Map<String, Double> byVariable) implements EvalMetric.Value {
    @Override
    public List<String> lines() {
      List<String> errs = new ArrayList<>();
      for (var e : byVariable.entrySet()) errs.add(String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()));
      return List.of("reconstruction squared error per example (summed over columns, " + at + "): " + String.join(", ", errs));
    }

    @Override
    public Map<String, Object> entries() {
      Map<String, Object> out = new LinkedHashMap<>();
      for (var e : byVariable.entrySet()) out.put("test_reconstruction_sq_error_" + e.getKey(), e.getValue());
      return out;
    }
  }
}
