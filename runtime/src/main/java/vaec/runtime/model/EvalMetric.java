package vaec.runtime.model;

import java.util.List;
import java.util.Map;
import vaec.runtime.exec.Executor;

/**
 * A number the evaluation reports on a data set beside the objective's terms, declared by what
 * lowers the graph outputs it reads, as {@link ReportedTerm} is for the terms of training: a
 * codebook latent's code usage is declared by its estimator, and a classifier's test accuracy
 * would be one more declaration. The model lists its metrics ({@link CompiledModel#metrics});
 * the evaluator ({@code vaec.runtime.train.Evaluator#metrics}) runs each pass they read once for
 * all of them and hands every metric's {@link Tally} each pass; the {@link Value}s say what is
 * printed and what goes into metrics.json, so that no command knows what a metric is.
 * Declarations are compared with {@code equals}: two latents declaring the same model-wide metric
 * declare one.
 */
public interface EvalMetric {
  /** The graph a metric reads, each run over the data set as the evaluator runs it. */
  enum Pass {
    /**
     * The evaluation graph as the test terms are measured: each example repeated over the
     * objective's samples (consecutive rows), the evaluation's noise; relaxed latents drawn discretely.
     */
    EVALUATE,
    /** The reconstruct graph: one row per example, the latents at the guide's mean, no noise. */
    RECONSTRUCT
  }

  /** The graph this metric reads. */
  Pass pass();

  /** A fresh tally, for one data set. */
  Tally start();

  /** A metric's running sums over the passes of one data set. */
  interface Tally {
    /**
     * One pass has run forward on the next {@code examples} examples of the data set: its
     * outputs and inputs are in {@code pass}, read until the method returns.
     */
    void add(Executor pass, int examples);

    /** The metric over every example added. */
    Value value();
  }

  /** A metric's value on a data set: the lines the evaluation prints and the entries it writes to metrics.json. */
  interface Value {
    /** The lines printed, in order. */
    List<String> lines();

    /** The metrics.json entries, in order: a key, and a number (null where the metric is not defined). */
    Map<String, Object> entries();
  }
}
