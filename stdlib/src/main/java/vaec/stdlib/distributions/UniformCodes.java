package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.UniformCode;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * {@code UniformCodes(K)}: the prior of a codebook latent {@code codes[width, positions]} that
 * chooses each position's code uniformly among K (the VQ-VAE's prior while it trains, van den Oord
 * et al. 2017). log p(z) = -positions log K for every value the codebook can give; a draw is a
 * uniform index per position, looked up in the latent's codebook. A learned prior over codes (a
 * categorical or an autoregressive network over the indices) would be another family here.
 */
public final class UniformCodes extends DistributionFamily {
  private final Codebook codebook;
  private final int groupWidth;

  public UniformCodes() { this(null, -1); }

  private UniformCodes(Codebook codebook, int groupWidth) {
    this.codebook = codebook;
    this.groupWidth = groupWidth;
  }

  @Override public String name() { return "UniformCodes"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("codes", Constraint.CODE_COUNT, true)));
  }

  @Override public ValueDomain support() { return ValueDomain.CODES; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }

  @Override
  public DistributionFamily grouped(int groupSize, int width) { return new UniformCodes(codebook, groupSize); }

  @Override
  public DistributionFamily atSite(String variable, Map<String, Double> constants) {
    Double k = constants.get("codes");
    if (k == null || groupWidth < 1) return this;
    return new UniformCodes(new Codebook(variable, -1, groupWidth, (int) (double) k), groupWidth);
  }

  @Override public Optional<Codebook> codebook() { return Optional.ofNullable(codebook); }

  private Codebook codebook(int width) {
    if (codebook == null) throw new IllegalStateException("UniformCodes used before its site was known");
    return codebook.at(width);
  }

  @Override
  public double log2SupportSize(int width) { return codebook(width).positions() * (Math.log(codebook.codes()) / Math.log(2)); }

  /** -positions log K, whatever the value (every value a codebook latent takes is a choice of codes). */
  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> args) {
    return g.constant(-codebook(value.width()).uniformKl(), 1);
  }

  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> args, int width, String site) {
    Codebook c = codebook(width);
    Node u = g.noise(site + ".codes", NoiseKind.UNIFORM, c.positions());
    return c.lookup(g, o, g.apply(new UniformCode(c.codes()), o, u));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> args) {
    throw new UnsupportedOperationException("UniformCodes has no mean code: draw from it instead");
  }
}
