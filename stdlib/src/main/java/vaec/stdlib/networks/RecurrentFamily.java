package vaec.stdlib.networks;

import java.util.List;
import vaec.runtime.data.Vocabulary;
import vaec.runtime.kernels.Activation;

/**
 * Recurrent networks over token sequences, GRU and LSTM (PyTorch's cell equations), stacked:
 *
 * <pre>
 *   network encoder = GRU(tokens(16, 40) -> 64, embed = 32, hidden = 128, layers = 1, pool = last)
 *   network decoder = GRU(tokens(16, 40) -> logits, condition = 32, embed = 32, hidden = 128, feed = both,
 *                         word_dropout = 0.25)
 * </pre>
 *
 * The chain is the input, {@code tokens(L, V)} (the data's length and vocabulary), and the output:
 * a width (an <b>encoder</b>: a dense layer, with activation {@code output}, from the top layer's
 * state pooled over the sequence: {@code pool = last}, the state after the last token, or
 * {@code mean}, the mean over the non-padding positions; padding never updates a state) or
 * {@code logits} (an autoregressive <b>decoder</b>: it is called on {@code concat(z, w)}, the
 * {@code condition} values then the sequence, reads w shifted by one position (the begin token
 * first: teacher forcing) and gives L*V logits, position t's computed from the tokens before it
 * only, for {@code Tokens(logits = ...)}). The condition enters as the initial state of every
 * layer (tanh of a dense layer), as an input at every step, or both ({@code feed = initial | step |
 * both}). {@code word_dropout = p} replaces each token the decoder reads by the unknown token with
 * probability p, in training only (Bowman et al. 2016).
 */
public final class RecurrentFamily implements NetworkFamily {
  /** The cell kind: gates per unit and the family name. */
  public enum Cell {
    GRU(3), LSTM(4);
    final int gates;
    Cell(int gates) { this.gates = gates; }
  }

  public enum Feed { INITIAL, STEP, BOTH }

  private final Cell cell;

  public RecurrentFamily(Cell cell) { this.cell = cell; }

  @Override public String name() { return cell.name(); }

  @Override public List<String> options() {
    return List.of("embed", "hidden", "layers", "pool", "output", "condition", "feed", "word_dropout");
  }

  @Override
  public NetworkSpec build(String name, List<NetTerm.Arg> args, Object where) {
    NetArgs a = NetArgs.of(name(), options(), args);
    String how = name() + " reads token sequences: " + name() + "(tokens(16, 40) -> 64, hidden = 128) as an encoder, or "
        + name() + "(tokens(16, 40) -> logits, condition = 32, hidden = 128) as a decoder of concat(z, w)";
    List<NetTerm> items = a.chain();
    if (items.size() != 2) throw new NetworkError(how, where);
    if (!(items.get(0) instanceof NetTerm.Call c) || !c.name().equals("tokens") || c.args().size() != 2
        || c.args().stream().anyMatch(x -> x.name() != null)) {
      throw new NetworkError("the input of " + name() + " is tokens(L, V), the data's length and vocabulary size: " + how, items.get(0).where());
    }
    int length = NetArgs.wholeNumber(c.args().get(0).value(), "the sequence length", 2);
    int vocab = NetArgs.wholeNumber(c.args().get(1).value(), "the vocabulary size", Vocabulary.RESERVED + 1);
    int embed = a.integer("embed", 32, 1);
    int hidden = a.integer("hidden", 128, 1);
    int layers = a.integer("layers", 1, 1);
    NetTerm out = items.get(1);
    boolean decoder = out instanceof NetTerm.Name n && n.name().equals("logits");
    NetArgs.Named named = a.named();
    if (decoder) {
      for (String encoderOnly : List.of("pool", "output")) {
        if (named.has(encoderOnly)) throw new NetworkError(encoderOnly + " applies to an encoder (a width after tokens(...)), not to a decoder", named.where(encoderOnly));
      }
      if (!named.has("condition")) {
        throw new NetworkError("a decoder needs the width of what it is conditioned on (the latent): condition = 32; call it on concat(z, w)", where);
      }
      int condition = a.integer("condition", 0, 1);
      Feed feed = Feed.BOTH;
      if (named.has("feed")) {
        NetTerm f = named.value("feed");
        String s = f instanceof NetTerm.Name n ? n.name() : NetTerm.text(f);
        feed = switch (s) {
          case "initial" -> Feed.INITIAL;
          case "step" -> Feed.STEP;
          case "both" -> Feed.BOTH;
          default -> throw new NetworkError("feed is initial, step or both, not " + s, f.where(), s, List.of("initial", "step", "both"));
        };
      }
      double drop = 0;
      if (named.has("word_dropout")) {
        NetTerm d = named.value("word_dropout");
        if (!(d instanceof NetTerm.Num num) || num.value() < 0 || num.value() >= 1) {
          throw new NetworkError("word_dropout is a probability in [0, 1), got " + NetTerm.text(d), d.where());
        }
        drop = num.value();
      }
      return new RecurrentNetwork(name, cell, length, vocab, embed, hidden, layers, true, condition, feed, drop, 0, false, Activation.IDENTITY);
    }
    for (String decoderOnly : List.of("condition", "feed", "word_dropout")) {
      if (named.has(decoderOnly)) throw new NetworkError(decoderOnly + " applies to a decoder (tokens(...) -> logits), not to an encoder", named.where(decoderOnly));
    }
    if (!(out instanceof NetTerm.Num)) {
      throw new NetworkError("after tokens(...) comes the encoder's output width or logits (a decoder): " + how, out.where());
    }
    int width = NetArgs.width(out);
    boolean mean = false;
    if (named.has("pool")) {
      NetTerm p = named.value("pool");
      String s = p instanceof NetTerm.Name n ? n.name() : NetTerm.text(p);
      if (!s.equals("last") && !s.equals("mean")) throw new NetworkError("pool is last or mean, not " + s, p.where(), s, List.of("last", "mean"));
      mean = s.equals("mean");
    }
    return new RecurrentNetwork(name, cell, length, vocab, embed, hidden, layers, false, 0, Feed.BOTH, 0, width, mean,
        a.activation("output", Activation.IDENTITY));
  }
}
