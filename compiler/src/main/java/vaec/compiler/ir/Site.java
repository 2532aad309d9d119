package vaec.compiler.ir;

import java.util.Map;
import java.util.Set;
import vaec.compiler.Span;
import vaec.runtime.graph.SourceRef;
import vaec.stdlib.distributions.DistributionFamily;

/**
 * A sample or observe site: variable ~ family(args). {@code role} says whether it is the prior or
 * the guide of a latent, or the likelihood of observed data. {@code estimator} is the model's own
 * {@code using ...} clause, or null. {@code dependsOn} lists the latents its arguments read.
 */
public record Site(
    String variable,
    Role role,
    DistributionFamily family,
    Map<String, IrExpr> args,
    int width,
    SourceRef origin,
    Span span,
    EstimatorRequest estimator,
    Set<String> dependsOn) {

  public enum Role { PRIOR, GUIDE, LIKELIHOOD }
}
