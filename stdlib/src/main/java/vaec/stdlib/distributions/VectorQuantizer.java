package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * {@code VQ(input, codes = K)}: the guide of a codebook latent {@code codes[width, positions]}
 * (van den Oord, Vinyals and Kavukcuoglu 2017). Its input (the encoder's output, width x positions
 * columns, channels first: an image of width channels over the positions) is cut into one vector per position, and each is replaced by the nearest of the K
 * vectors of a learned codebook. q(z | x) puts all its mass on that value: the family has no
 * density to score (log q = 0), no pathwise sampler and no relaxation, and only the
 * straight-through VQ estimator ({@code vq}) trains it.
 */
public final class VectorQuantizer extends DistributionFamily {
  private final Codebook codebook;
  private final int groupWidth;

  public VectorQuantizer() { this(null, -1); }

  private VectorQuantizer(Codebook codebook, int groupWidth) {
    this.codebook = codebook;
    this.groupWidth = groupWidth;
  }

  @Override public String name() { return "VQ"; }

  @Override
  public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("input", Constraint.REAL), new ParamSpec("codes", Constraint.CODE_COUNT, true)));
  }

  @Override public ValueDomain support() { return ValueDomain.CODES; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }

  @Override
  public DistributionFamily grouped(int groupSize, int width) { return new VectorQuantizer(codebook, groupSize); }

  @Override
  public DistributionFamily atSite(String variable, Map<String, Double> constants) {
    Double k = constants.get("codes");
    if (k == null || groupWidth < 1) return this;
    return new VectorQuantizer(new Codebook(variable, -1, groupWidth, (int) (double) k), groupWidth);
  }

  @Override public Optional<Codebook> codebook() { return Optional.ofNullable(codebook); }

  @Override
  public String whyNoDensity() {
    return "VQ quantizes deterministically: q(z | x) puts all its mass on the nearest codes, so there is no density to score,"
        + " sample or enumerate; the straight-through VQ estimator (vq) trains it";
  }

  @Override
  public double log2SupportSize(int width) {
    Codebook c = require();
    return (double) width / c.width() * (Math.log(c.codes()) / Math.log(2));
  }

  Codebook require() {
    if (codebook == null) throw new IllegalStateException("VQ used before its site was known");
    return codebook;
  }

  /** The codebook with its positions for a value of {@code width} columns. */
  public Codebook codebook(int width) {
    return require().at(width);
  }

  /** log q(z | x) = 0: all the mass is on the drawn value. */
  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> args) { return g.constant(0, 1); }

  /** The nearest codes of the input (no gradient: the estimator adds the straight-through path). */
  @Override
  public Node sample(Graph g, SourceRef o, Map<String, Node> args, int width, String site) {
    Node input = args.get("input");
    Codebook c = codebook(input.width());
    return c.lookup(g, o, c.nearest(g, o, input));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> args) { return sample(g, o, args, args.get("input").width(), null); }
}
