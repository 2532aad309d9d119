package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Concat;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.Slice;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.TokenEmbed;
import vaec.runtime.ops.TokenMask;
import vaec.runtime.ops.Unary;
import vaec.stdlib.networks.RecurrentFamily.Cell;
import vaec.stdlib.networks.RecurrentFamily.Feed;

/**
 * A GRU or LSTM over token sequences, built by {@link RecurrentFamily}, lowered by unrolling the
 * recurrence over the L positions into the graph's own ops (dense layers, slices, element-wise
 * arithmetic), so that backpropagation through time is the executor's reverse pass over ops
 * whose gradients are each checked. Cells follow PyTorch:
 * <pre>
 *   GRU:  r = s(Wx_r x + b_r + Wh_r h + c_r), u = s(Wx_u x + b_u + Wh_u h + c_u),
 *         n = tanh(Wx_n x + b_n + r (Wh_n h + c_n)), h' = (1 - u) n + u h
 *   LSTM: i, f, o = s(...), g = tanh(...), c' = f c + i g, h' = o tanh(c')
 * </pre>
 * In an encoder a padding position leaves the state as it is: h' = h + m (h_new - h) with m = 0
 * there. Parameters: NAME.embed (V x E); NAME.K.Wx, .Wh, .bx, .bh for layer K; NAME.out.W, .b;
 * a decoder's NAME.init.W, .b (initial states) and NAME.cond.W, .b (per-step input).
 */
public record RecurrentNetwork(String name, Cell cell, int length, int vocab, int embed, int hidden, int layers, boolean decoder,
                               int condition, Feed feed, double wordDropout, int outWidth, boolean meanPool, Activation output)
    implements NetworkSpec {

  @Override public String family() { return cell.name(); }

  @Override public int tokenVocabulary() { return vocab; }

  @Override public int autoregressiveCondition() { return decoder ? condition : -1; }

  @Override public int inputWidth() { return decoder ? condition + length : length; }

  @Override public int outputWidth() { return decoder ? length * vocab : outWidth; }

  @Override public long parameterCount() {
    long n = 0;
    for (ParamInit p : params()) {
      long k = 1;
      for (long d : p.shape()) k *= d;
      n += k;
    }
    return n;
  }

  private int gates() { return cell.gates * hidden; }

  @Override public List<ParamInit> params() {
    List<ParamInit> ps = new ArrayList<>();
    ps.add(ParamInit.uniform(name + ".embed", 1.0, vocab, embed));
    double bh = 1.0 / Math.sqrt(hidden);
    for (int k = 0; k < layers; k++) {
      String p = name + "." + k;
      ps.add(ParamInit.uniform(p + ".Wx", bh, k == 0 ? embed : hidden, gates()));
      ps.add(ParamInit.uniform(p + ".Wh", bh, hidden, gates()));
      ps.add(ParamInit.uniform(p + ".bx", bh, gates()));
      ps.add(ParamInit.uniform(p + ".bh", bh, gates()));
    }
    if (decoder) {
      double bc = 1.0 / Math.sqrt(condition);
      if (feed != Feed.STEP) {
        ps.add(ParamInit.uniform(name + ".init.W", bc, condition, (long) layers * hidden));
        ps.add(ParamInit.uniform(name + ".init.b", bc, (long) layers * hidden));
      }
      if (feed != Feed.INITIAL) {
        ps.add(ParamInit.uniform(name + ".cond.W", bc, condition, gates()));
        ps.add(ParamInit.uniform(name + ".cond.b", bc, gates()));
      }
    }
    ps.add(ParamInit.uniform(name + ".out.W", bh, hidden, outputPerStep()));
    ps.add(ParamInit.uniform(name + ".out.b", bh, outputPerStep()));
    return ps;
  }

  private int outputPerStep() { return decoder ? vocab : outWidth; }

  @Override public Node apply(Graph g, SourceRef o, Node input, boolean frozen) {
    return apply(g, o, input, frozen, false);
  }

  @Override public Node apply(Graph g, SourceRef o, Node input, boolean frozen, boolean training) {
    Ops f = new Ops(g, o, frozen);
    Node ids = input;
    Node z = null;
    if (decoder) {
      z = f.slice(input, 0, condition);
      ids = f.slice(input, condition, condition + length);
    }
    Node table = f.param(name + ".embed", vocab, embed);
    boolean drop = decoder && training && wordDropout > 0;
    TokenEmbed emb = new TokenEmbed(length, vocab, embed, decoder, drop ? wordDropout : 0);
    Node e = drop ? g.apply(emb, o, ids, table, g.noise(name + ".word_dropout", NoiseKind.UNIFORM, length)) : g.apply(emb, o, ids, table);
    List<Node> xs = new ArrayList<>();
    for (int t = 0; t < length; t++) xs.add(f.slice(e, t * embed, (t + 1) * embed));
    Node zStep = decoder && feed != Feed.INITIAL ? f.dense(z, name + ".cond", condition, gates(), Activation.IDENTITY) : null;
    Node init = decoder && feed != Feed.STEP ? f.dense(z, name + ".init", condition, layers * hidden, Activation.TANH) : null;
    List<Node> masks = new ArrayList<>();
    if (!decoder) for (int t = 0; t < length; t++) masks.add(g.apply(new TokenMask(t, hidden, false), o, ids));
    for (int k = 0; k < layers; k++) {
      String p = name + "." + k;
      int in = k == 0 ? embed : hidden;
      Node wx = f.param(p + ".Wx", in, gates());
      Node wh = f.param(p + ".Wh", hidden, gates());
      Node bx = f.param(p + ".bx", gates());
      Node bh = f.param(p + ".bh", gates());
      Node h = init != null ? f.slice(init, k * hidden, (k + 1) * hidden) : g.constant(0, hidden);
      Node c = cell == Cell.LSTM ? g.constant(0, hidden) : null;
      List<Node> hs = new ArrayList<>();
      for (int t = 0; t < length; t++) {
        Node gi = g.apply(new Dense(Activation.IDENTITY), o, xs.get(t), wx, bx);
        if (k == 0 && zStep != null) gi = f.bin(Binary.Kind.ADD, gi, zStep);
        Node gh = g.apply(new Dense(Activation.IDENTITY), o, h, wh, bh);
        Node hNew;
        Node cNew = null;
        int hd = hidden;
        if (cell == Cell.GRU) {
          Node rz = f.un(Unary.Fn.SIGMOID, f.bin(Binary.Kind.ADD, f.slice(gi, 0, 2 * hd), f.slice(gh, 0, 2 * hd)));
          Node r = f.slice(rz, 0, hd);
          Node u = f.slice(rz, hd, 2 * hd);
          Node n = f.un(Unary.Fn.TANH, f.bin(Binary.Kind.ADD, f.slice(gi, 2 * hd, 3 * hd), f.bin(Binary.Kind.MUL, r, f.slice(gh, 2 * hd, 3 * hd))));
          hNew = f.bin(Binary.Kind.ADD, n, f.bin(Binary.Kind.MUL, u, f.bin(Binary.Kind.SUB, h, n)));
        } else {
          Node s = f.bin(Binary.Kind.ADD, gi, gh);
          Node sg = f.un(Unary.Fn.SIGMOID, s);
          Node i = f.slice(sg, 0, hd);
          Node fg = f.slice(sg, hd, 2 * hd);
          Node og = f.slice(sg, 3 * hd, 4 * hd);
          Node gg = f.un(Unary.Fn.TANH, f.slice(s, 2 * hd, 3 * hd));
          cNew = f.bin(Binary.Kind.ADD, f.bin(Binary.Kind.MUL, fg, c), f.bin(Binary.Kind.MUL, i, gg));
          hNew = f.bin(Binary.Kind.MUL, og, f.un(Unary.Fn.TANH, cNew));
        }
        if (!decoder) {   // padding leaves the state unchanged
          Node m = masks.get(t);
          hNew = f.bin(Binary.Kind.ADD, h, f.bin(Binary.Kind.MUL, m, f.bin(Binary.Kind.SUB, hNew, h)));
          if (cNew != null) cNew = f.bin(Binary.Kind.ADD, c, f.bin(Binary.Kind.MUL, m, f.bin(Binary.Kind.SUB, cNew, c)));
        }
        h = hNew;
        c = cNew;
        hs.add(h);
      }
      xs = hs;
    }
    if (decoder) {
      Node w = f.param(name + ".out.W", hidden, vocab);
      Node b = f.param(name + ".out.b", vocab);
      Node[] logits = new Node[length];
      for (int t = 0; t < length; t++) logits[t] = g.apply(new Dense(Activation.IDENTITY), o, xs.get(t), w, b);
      return g.apply(new Concat(), o, logits);
    }
    Node pooled;
    if (meanPool) {
      pooled = null;
      for (int t = 0; t < length; t++) {
        Node term = f.bin(Binary.Kind.MUL, g.apply(new TokenMask(t, hidden, true), o, ids), xs.get(t));
        pooled = pooled == null ? term : f.bin(Binary.Kind.ADD, pooled, term);
      }
    } else pooled = xs.get(length - 1);
    return f.dense(pooled, name + ".out", hidden, outWidth, output);
  }

  /** "tokens(16, 40) -> embed 32 -> GRU 128 x 2 -> logits (condition 32, feed both, word dropout 0.25)". */
  @Override public String architecture() {
    StringBuilder b = new StringBuilder("tokens(" + length + ", " + vocab + ") -> embed " + embed + " -> " + cell + " " + hidden);
    if (layers > 1) b.append(" x ").append(layers);
    if (decoder) {
      b.append(" -> logits (condition ").append(condition).append(", feed ").append(feed.name().toLowerCase(java.util.Locale.ROOT));
      if (wordDropout > 0) b.append(", word dropout ").append(wordDropout);
      b.append(')');
    } else {
      b.append(" -> ").append(meanPool ? "mean" : "last").append(" -> ").append(outWidth);
      if (output != Activation.IDENTITY) b.append(" (").append(output.lowerName()).append(')');
    }
    return b.toString();
  }

  /** Small builders over one graph. */
  private record Ops(Graph g, SourceRef o, boolean frozen) {
    Node param(String n, long... shape) {
      Node p = g.param(n, shape);
      return frozen ? g.apply(new StopGradient(), o, p) : p;
    }

    Node slice(Node x, int from, int to) { return g.apply(new Slice(from, to), o, x); }

    Node bin(Binary.Kind k, Node a, Node b) { return g.apply(new Binary(k), o, a, b); }

    Node un(Unary.Fn fn, Node x) { return g.apply(new Unary(fn), o, x); }

    Node dense(Node x, String prefix, int in, int out, Activation a) {
      return g.apply(new Dense(a), o, x, param(prefix + ".W", in, out), param(prefix + ".b", out));
    }
  }
}
