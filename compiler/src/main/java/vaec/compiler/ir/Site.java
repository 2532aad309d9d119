package vaec.compiler.ir;

import java.util.Map;
import java.util.Set;
import vaec.compiler.Span;
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
    Origin origin,
    Span span,
    EstimatorRequest estimator,
    Set<String> dependsOn) {

  public enum Role { PRIOR, GUIDE, LIKELIHOOD }

  /** The data variables this site's arguments read. */
  public java.util.Set<String> dataRead() {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (IrExpr e : args.values()) dataRead(e, out);
    return out;
  }

  private static void dataRead(IrExpr e, java.util.Set<String> out) {
    if (e instanceof IrExpr.Data d) out.add(d.name());
    else if (e instanceof IrExpr.Fn f) dataRead(f.arg(), out);
    else if (e instanceof IrExpr.NetCall c) dataRead(c.input(), out);
    else if (e instanceof IrExpr.Slice sl) dataRead(sl.target(), out);
    else if (e instanceof IrExpr.Concat c) for (IrExpr p : c.parts()) dataRead(p, out);
    else if (e instanceof IrExpr.Arith a) {
      dataRead(a.left(), out);
      dataRead(a.right(), out);
    }
  }
}
