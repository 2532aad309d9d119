package vaec.stdlib.estimators;

import java.util.Set;
import vaec.stdlib.distributions.DistributionFamily;

/**
 * What an estimator may ask about the latent it serves, at planning time: its name and width, its
 * guide's and prior's families and the argument names they were written with (logits or probs),
 * and the total width of the model's data (what an input-dependent baseline reads).
 */
public record LatentSite(
    String name,
    int width,
    DistributionFamily guide,
    Set<String> guideArgs,
    DistributionFamily prior,
    Set<String> priorArgs,
    int dataWidth) {}
