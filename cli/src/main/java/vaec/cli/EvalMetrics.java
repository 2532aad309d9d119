package vaec.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vaec.runtime.UserError;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.model.EvalMetric;
import vaec.runtime.train.Evaluator;

/**
 * The evaluation numbers that show posterior collapse, shared by {@code vaec eval} and {@code vaec
 * run}'s final report: the IWAE-k bound, each latent's KL term and its active units (Burda, Grosse
 * and Salakhutdinov 2016: unit u is active when the variance over test examples of E_q[z_u | x]
 * exceeds 0.01; defined for real-valued and binary latents, a binary unit's mean being its
 * probability of 1); then the metrics the model declares ({@link EvalMetric}: a codebook latent's
 * code usage), each printed and written as it says.
 */
final class EvalMetrics {
  /** The default k of the reported IWAE bound. */
  static final int DEFAULT_IWAE_K = 50;

  private final List<String> lines = new ArrayList<>();
  private final Map<String, Object> metrics = new LinkedHashMap<>();

  private EvalMetrics() {}

  /** Checks {@code --iwae-k}; returns the k to use. */
  static int iwaeK(Integer given) {
    int k = given != null ? given : DEFAULT_IWAE_K;
    if (k < 1) throw new UserError("--iwae-k must be at least 1, got " + k);
    if (k > vaec.stdlib.objectives.Iwae.MAX_SAMPLES) {
      throw new UserError("--iwae-k must be at most " + vaec.stdlib.objectives.Iwae.MAX_SAMPLES + ", got " + k);
    }
    return k;
  }

  /**
   * The numbers for {@code test}: {@code terms} are the objective's test terms (their per-latent
   * KL), {@code evalSamples} the K of the log p(x) estimate printed beside them, and
   * {@code latentDomains} each latent's declared domain.
   */
  static EvalMetrics of(Evaluator ev, BoundData test, Evaluator.Terms terms, int iwaeK, int evalSamples, String likelihoodLabel,
                        Map<String, ValueDomain> latentDomains) {
    EvalMetrics out = new EvalMetrics();
    double iwae = ev.iwaeBound(test, iwaeK);
    out.lines.add(String.format(Locale.ROOT, "test IWAE-%d bound %.3f nats per example (the %s estimate is the same estimator at K = %d)",
        iwaeK, iwae, likelihoodLabel, evalSamples));
    out.metrics.put("test_iwae_bound", iwae);
    out.metrics.put("iwae_k", iwaeK);

    if (!terms.kl().isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (var e : terms.kl().entrySet()) {
        parts.add(String.format(Locale.ROOT, "%s %.3f", e.getKey(), e.getValue()));
        out.metrics.put("test_kl_" + e.getKey(), e.getValue());
      }
      out.lines.add("test KL per latent (nats per example): " + String.join(", ", parts));
    }

    Evaluator.Encoding enc = ev.encode(test);
    List<String> parts = new ArrayList<>();
    for (Evaluator.Activity a : Evaluator.activity(enc)) {
      ValueDomain dom = latentDomains.get(a.latent());
      // A binary unit's guide mean is its probability of 1, so the criterion reads it as it reads a real one.
      boolean hasMean = dom == ValueDomain.REAL || dom == ValueDomain.UNIT_INTERVAL || dom == ValueDomain.BINARY;
      if (!hasMean) {
        parts.add(a.latent() + " not defined (" + (dom == null ? "discrete" : dom.toString()) + " latent)");
        out.metrics.put("active_units_" + a.latent(), null);
      } else if (test.rows() < 2) {
        parts.add(a.latent() + " not defined (it needs two test examples)");
        out.metrics.put("active_units_" + a.latent(), null);
      } else {
        parts.add(String.format(Locale.ROOT, "%s %d of %d", a.latent(), a.active(), a.units()));
        out.metrics.put("active_units_" + a.latent(), a.active());
      }
      out.metrics.put("units_" + a.latent(), a.units());
    }
    if (!parts.isEmpty()) {
      out.lines.add("active units (variance over test examples of the guide mean above " + Evaluator.ACTIVE_THRESHOLD
          + ", Burda et al. 2016): " + String.join("; ", parts));
    }
    // The metrics the model's estimators declare (a codebook latent's code usage): their own lines and entries.
    for (EvalMetric.Value v : ev.metrics(test)) {
      out.lines.addAll(v.lines());
      out.metrics.putAll(v.entries());
    }
    return out;
  }

  List<String> lines() { return lines; }

  Map<String, Object> metrics() { return metrics; }
}
