package vaec.runtime.model;

import java.util.List;
import vaec.runtime.data.DataInput;
import vaec.runtime.graph.Graph;

/**
 * What the compiler hands the runtime: one graph per purpose over shared, named parameters.
 *
 * <ul>
 *   <li>{@code train}: the objective's loss (analytic KL where the plan says so), with an output
 *       for each of the objective's reported {@code terms} (the ELBO reports "loss" = -ELBO,
 *       "reconstruction" = -log p(x|z) and "kl"). It runs on batch x {@code samples} rows: each
 *       example repeated {@code samples} times in consecutive rows, each row its own draw;</li>
 *   <li>{@code evaluate}: like {@code train} but every relaxed latent is drawn discretely, so its
 *       "loss" output is the model's own negative ELBO (what tests report), and it also outputs
 *       "kl_Z", latent Z's KL term per row (they sum to the objective's KL term);</li>
 *   <li>{@code logWeight}: output "log_weight" = log p(x, z) - log q(z|x) for one guide sample, the
 *       importance weight behind IWAE bounds and the log p(x) estimate;</li>
 *   <li>{@code priorSample}: outputs "mean_X", the mean of each likelihood X for z drawn from the prior;</li>
 *   <li>{@code decode}: outputs "mean_X", each likelihood's mean at latent values given as inputs
 *       (one input per latent, named as the latent, and one per conditioning input);</li>
 *   <li>{@code reconstruct}: outputs "mean_X", each likelihood's mean at the guide's mean of the latents, and "latent_mean_Z", the guide's mean of each latent Z;</li>
 *   <li>{@code controlVariates}: null unless some latent uses REBAR or RELAX. Its loss is the
 *       variance objective of their learned control variates; its inputs are the data and the
 *       values of {@code train} its linked inputs hold handles on ({@link Graph#linkedInputs}), and it is run after each backward
 *       pass of {@code train} (see {@link vaec.runtime.train.TrainingPass}).</li>
 * </ul>
 * {@code terms} are what the objective and the estimators report during training and on the test
 * set; {@code metrics} are the further numbers the evaluation reports on a data set
 * ({@link EvalMetric}, declared by the estimators: a codebook latent's code usage), equal
 * declarations kept once, in the order first declared.
 * Every data variable ({@code data}, in declaration order: those a likelihood scores and the
 * conditioning inputs the model only reads) enters each graph that reads it as the input of its
 * own name; which part of the dataset fills it is decided when the data is loaded
 * ({@link vaec.runtime.data.DataLoader}).
 */
public record CompiledModel(
    String name,
    String file,
    String sourceHash,
    List<DataInput> data,
    List<ParamInit> params,
    Graph train,
    Graph evaluate,
    Graph logWeight,
    Graph priorSample,
    Graph reconstruct,
    Graph decode,
    Graph controlVariates,
    List<ReportedTerm> terms,
    List<EvalMetric> metrics,
    int samples,
    TrainConfig config) {

  public CompiledModel {
    data = List.copyOf(data);
    terms = List.copyOf(terms);
    metrics = List.copyOf(new java.util.LinkedHashSet<>(metrics));
    if (terms.isEmpty()) throw new IllegalArgumentException("an objective reports at least its loss");
    if (samples < 1) throw new IllegalArgumentException("samples per example: " + samples);
  }

  /** A model whose evaluation reports no metrics beyond its terms (a model rebuilt from another's graphs, in tests). */
  public CompiledModel(String name, String file, String sourceHash, List<DataInput> data, List<ParamInit> params, Graph train,
                       Graph evaluate, Graph logWeight, Graph priorSample, Graph reconstruct, Graph decode, Graph controlVariates,
                       List<ReportedTerm> terms, int samples, TrainConfig config) {
    this(name, file, sourceHash, data, params, train, evaluate, logWeight, priorSample, reconstruct, decode, controlVariates, terms,
        List.of(), samples, config);
  }

  /**
   * What the importance-sampled estimate estimates: "log p(x)", "log p(x, y)" for two scored
   * variables, "log p(x | y)" given conditioning inputs.
   */
  public String likelihoodLabel() {
    String scored = String.join(", ", scored().stream().map(DataInput::name).toList());
    String given = String.join(", ", conditioning().stream().map(DataInput::name).toList());
    return "log p(" + scored + (given.isEmpty() ? "" : " | " + given) + ")";
  }

  /** The training loss's label, e.g. "-ELBO". */
  public String lossLabel() { return terms.get(0).label(); }

  /** The data variable named {@code name}. */
  public DataInput input(String name) {
    for (DataInput d : data) if (d.name().equals(name)) return d;
    throw new IllegalArgumentException("no data variable " + name);
  }

  /** The variables a likelihood scores. */
  public List<DataInput> scored() {
    return data.stream().filter(DataInput::scored).toList();
  }

  /** The conditioning inputs: data the model reads without scoring it. */
  public List<DataInput> conditioning() {
    return data.stream().filter(DataInput::conditioning).toList();
  }

  /** This model with its evaluation reporting {@code metrics} instead of its own. */
  public CompiledModel withMetrics(List<EvalMetric> metrics) {
    return new CompiledModel(name, file, sourceHash, data, params, train, evaluate, logWeight, priorSample, reconstruct, decode, controlVariates, terms, metrics, samples, config);
  }

  /** This model with another training configuration. */
  public CompiledModel withConfig(TrainConfig c) {
    return new CompiledModel(name, file, sourceHash, data, params, train, evaluate, logWeight, priorSample, reconstruct, decode, controlVariates, terms, metrics, samples, c);
  }
}
