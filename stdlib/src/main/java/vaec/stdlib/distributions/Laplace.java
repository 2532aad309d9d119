package vaec.stdlib.distributions;

import java.util.Map;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.Affine;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.NormalRsample;
import vaec.runtime.ops.RowSum;
import vaec.runtime.ops.Unary;

/**
 * The Laplace distribution with density exp(-|x - loc| / scale) / (2 scale), independent per
 * column; mean loc, variance 2 scale^2. Pathwise sampler z = loc + scale * eps with eps standard
 * Laplace, drawn as the difference of two standard exponentials, eps = log u2 - log u1 for
 * independent uniforms (-log u is Exp(1)): the same law as inverting the CDF at one uniform, with
 * no branch on its sign. Each u is first mapped into [EPS, 1], so that a generator's exact 0
 * gives a finite draw (|eps| at most -log EPS, about 16; the mass beyond is 1e-7). No closed-form
 * KL here: the plan uses a Monte Carlo estimate. Built from existing element-wise ops only.
 */
public final class Laplace extends LocationScaleFamily {
  /** Lower clamp of the uniform noise before its log. */
  static final double EPS = 1e-7;

  @Override public String name() { return "Laplace"; }



  /** sum_j [ -|x_j - loc_j| / scale_j - log scale_j - log 2 ]. */
  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    Node scale = a.get("scale");
    Node dist = g.apply(new Unary(Unary.Fn.ABS), o, g.apply(new Binary(Binary.Kind.SUB), o, value, a.get("loc")));
    Node standardized = g.apply(new Binary(Binary.Kind.DIV), o, dist, scale);
    Node total = g.apply(new Binary(Binary.Kind.ADD), o, standardized, g.apply(new Unary(Unary.Fn.LOG), o, scale));
    return g.apply(new RowSum(), o, g.apply(new Affine(-1, -Math.log(2)), o, total));
  }

  @Override
  public Node rsample(Graph g, SourceRef o, Map<String, Node> a, int width, String site) {
    Node e1 = logUniform(g, o, g.noise("u1_" + site, NoiseKind.UNIFORM, width));
    Node e2 = logUniform(g, o, g.noise("u2_" + site, NoiseKind.UNIFORM, width));
    Node eps = g.apply(new Binary(Binary.Kind.SUB), o, e2, e1);
    return g.apply(new NormalRsample(), o, a.get("loc"), a.get("scale"), eps);   // loc + scale * eps
  }

  private static Node logUniform(Graph g, SourceRef o, Node u) {
    return g.apply(new Unary(Unary.Fn.LOG), o, g.apply(new Affine(1 - EPS, EPS), o, u));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) { return a.get("loc"); }
}
