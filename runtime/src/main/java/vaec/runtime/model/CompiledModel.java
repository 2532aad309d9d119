package vaec.runtime.model;

import java.util.List;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;

/**
 * What the compiler hands the runtime: one graph per purpose over shared, named parameters.
 *
 * <ul>
 *   <li>{@code train}: per-example negative ELBO as the loss (analytic KL where the plan says so),
 *       with outputs "loss", "reconstruction" (-log p(x|z)) and "kl";</li>
 *   <li>{@code evaluate}: like {@code train} but every relaxed latent is drawn discretely, so its
 *       "loss" output is the model's own negative ELBO (what tests report);</li>
 *   <li>{@code logWeight}: output "log_weight" = log p(x, z) - log q(z|x) for one guide sample, the
 *       importance weight behind IWAE bounds and the log p(x) estimate;</li>
 *   <li>{@code priorSample}: outputs "mean_X", the mean of each likelihood X for z drawn from the prior;</li>
 *   <li>{@code reconstruct}: outputs "mean_X", each likelihood's mean at the guide's mean of the latents, and "latent_mean_Z", the guide's mean of each latent Z;</li>
 *   <li>{@code controlVariates}: null unless some latent uses REBAR or RELAX. Its loss is the
 *       variance objective of their learned control variates; its inputs are the data and the
 *       values {@code train} links to it ({@link Graph#links}), and it is run after each backward
 *       pass of {@code train} (see {@link vaec.runtime.train.TrainingPass}).</li>
 * </ul>
 * The observed data enters every graph as the input named {@code dataName}.
 */
public record CompiledModel(
    String name,
    String file,
    String sourceHash,
    String dataName,
    int dataWidth,
    ValueDomain dataDomain,
    List<ParamInit> params,
    Graph train,
    Graph evaluate,
    Graph logWeight,
    Graph priorSample,
    Graph reconstruct,
    Graph controlVariates,
    TrainConfig config) {}
