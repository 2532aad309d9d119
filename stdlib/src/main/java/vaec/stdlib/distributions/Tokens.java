package vaec.stdlib.distributions;

import java.util.List;
import java.util.Map;
import vaec.runtime.data.ValueDomain;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.ops.TokenLogProb;
import vaec.runtime.ops.TokenSoftmax;
import vaec.stdlib.distributions.ParamSpec.Constraint;

/**
 * A token sequence scored position by position: {@code likelihood w ~ Tokens(logits = l)} for
 * data {@code w : tokens[L, V]}, with l of width L*V, position t's V logits in columns
 * [t*V, (t+1)*V). log p(w) is the sum over the positions that are not padding (the tokens and the
 * end token) of log softmax(l_t)[w_t]; padding never counts. When l comes from an autoregressive
 * decoder that reads w shifted by one (teacher forcing: GRU or LSTM with {@code condition}),
 * l_t depends on w_1..w_{t-1} only and this is log p(w_1) p(w_2 | w_1) ... of the sequence.
 * Its mean is each position's probabilities (width L*V), which sampling and reconstruction decode
 * one position at a time. Only data can have this family (there is no latent token type).
 */
public final class Tokens extends DistributionFamily {
  private final int vocab;

  public Tokens() { this(0); }

  private Tokens(int vocab) { this.vocab = vocab; }

  @Override public String name() { return "Tokens"; }

  @Override public List<List<ParamSpec>> parameterizations() {
    return List.of(List.of(new ParamSpec("logits", Constraint.REAL)));
  }

  @Override public ValueDomain support() { return ValueDomain.TOKENS; }
  @Override public boolean hasPathwiseSampler() { return false; }
  @Override public boolean isDiscrete() { return true; }

  /** The vocabulary size V, once bound to a variable ({@link #grouped}); 0 before. */
  public int vocabulary() { return vocab; }

  /** Bound to a tokens[L, V] variable: width L, group size V. */
  @Override public DistributionFamily grouped(int groupSize, int width) { return new Tokens(groupSize); }

  @Override public int parameterWidth(String parameter, int valueWidth) { return vocab == 0 ? valueWidth : valueWidth * vocab; }

  @Override public double log2SupportSize(int width) { return vocab < 2 ? Double.POSITIVE_INFINITY : width * Math.log(vocab) / Math.log(2); }

  @Override
  public Node logProb(Graph g, SourceRef o, Node value, Map<String, Node> a) {
    return g.apply(new TokenLogProb(value.width(), vocab), o, value, a.get("logits"));
  }

  @Override
  public Node mean(Graph g, SourceRef o, Map<String, Node> a) {
    return g.apply(new TokenSoftmax(vocab), o, a.get("logits"));
  }
}
