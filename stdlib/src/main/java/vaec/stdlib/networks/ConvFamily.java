package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.ConvGeometry;

/**
 * Convolutional networks, written as a chain of layers whose shapes the family follows:
 *
 * <pre>
 *   Conv(image(1, 28, 28) -> conv(32, kernel = 4, stride = 2, padding = 1)
 *        -> conv(64, kernel = 4, stride = 2, padding = 1) -> flatten -> 40, activation = relu)
 *   Conv(20 -> 3136 -> image(64, 7, 7) -> deconv(32, kernel = 4, stride = 2, padding = 1)
 *        -> deconv(1, kernel = 4, stride = 2, padding = 1), activation = relu)
 * </pre>
 *
 * Items: a width (a dense layer to that width; first, the input width), {@code image(C, H, W)}
 * (the flat vector seen as C channels of H x W, channel-major; first, the input's shape),
 * {@code conv(C, kernel = k, stride = s, padding = p)} and {@code deconv(...)} (stride 1 and
 * padding 0 by default), {@code residual(hidden)} (the VQ-VAE block, hidden channels defaulting
 * to the block's), and {@code flatten} (optional: a width after an image flattens it anyway).
 * Every layer but the last is followed by {@code activation} (default relu), except a residual
 * block followed by another (a stack of blocks as in the paper); the last by {@code output}
 * (default identity). The residual blocks' inner activations are {@code activation}.
 */
public final class ConvFamily implements NetworkFamily {
  static final List<String> LAYERS = List.of("image", "conv", "deconv", "residual", "flatten");

  @Override public String name() { return "Conv"; }
  @Override public List<String> options() { return List.of("activation", "output"); }

  /** Where the chain is: a flat vector of {@code c} values, or an image c x h x w. */
  private record Shape(int c, int h, int w, boolean image) {
    int width() { return image ? c * h * w : c; }
    String text() { return image ? c + "x" + h + "x" + w : "a vector of width " + c; }
  }

  /** A layer before its activation is known. */
  private sealed interface Pending {}
  private record PDense(int in, int out) implements Pending {}
  private record PConv(ConvGeometry geo) implements Pending {}
  private record PResidual(int c, int h, int w, int hidden) implements Pending {}

  @Override
  public NetworkSpec build(String name, List<NetTerm.Arg> args, Object where) {
    NetArgs a = NetArgs.of(name(), options(), args);
    Activation hidden = a.activation("activation", Activation.RELU);
    Activation out = a.activation("output", Activation.IDENTITY);
    List<NetTerm> items = a.chain();
    if (items.size() < 2) {
      throw new NetworkError("Conv needs an input and at least one layer, like Conv(image(1, 28, 28) -> conv(32, kernel = 4, stride = 2, padding = 1) -> 40)", where);
    }
    Shape cur = input(items.get(0));
    Shape in = cur;
    List<Pending> pending = new ArrayList<>();
    for (int i = 1; i < items.size(); i++) {
      NetTerm t = items.get(i);
      if (t instanceof NetTerm.Num) {
        int width = NetArgs.width(t);
        pending.add(new PDense(cur.width(), width));
        cur = new Shape(width, 1, 1, false);
      } else if (t instanceof NetTerm.Name n && n.name().equals("flatten")) {
        if (!cur.image()) throw new NetworkError("flatten needs an image before it, but here the value is " + cur.text(), t.where());
        cur = new Shape(cur.width(), 1, 1, false);
      } else if (t instanceof NetTerm.Call c && c.name().equals("image")) {
        Shape s = image(c);
        if (s.width() != cur.width()) {
          throw new NetworkError("image(" + s.c() + ", " + s.h() + ", " + s.w() + ") holds " + s.width() + " values but the layer before it gives "
              + (cur.image() ? cur.text() + " = " + cur.width() : String.valueOf(cur.width())), t.where());
        }
        cur = s;
      } else if (t instanceof NetTerm.Call c && (c.name().equals("conv") || c.name().equals("deconv"))) {
        ConvGeometry geo = conv(c, cur);
        pending.add(new PConv(geo));
        cur = new Shape(geo.outC(), geo.outH(), geo.outW(), true);
      } else if (t instanceof NetTerm.Call c && c.name().equals("residual")) {
        requireImage(c, cur);
        LayerArgs la = LayerArgs.of(c, List.of(), 0, 1, "residual takes the hidden channels, like residual(32)");
        int h = la.positional.isEmpty() ? cur.c() : NetArgs.wholeNumber(la.positional.get(0), "the hidden channels of residual", 1);
        pending.add(new PResidual(cur.c(), cur.h(), cur.w(), h));
      } else {
        throw unknownLayer(t);
      }
    }
    if (pending.isEmpty()) throw new NetworkError("Conv needs at least one layer with parameters after its input", where);
    List<ConvNetwork.Layer> layers = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      Pending p = pending.get(i);
      boolean last = i + 1 == pending.size();
      Activation after = last ? out
          : p instanceof PResidual && pending.get(i + 1) instanceof PResidual ? Activation.IDENTITY : hidden;
      if (p instanceof PDense d) layers.add(new ConvNetwork.DenseLayer(d.in(), d.out(), after));
      else if (p instanceof PConv c) layers.add(new ConvNetwork.ConvLayer(c.geo(), after));
      else if (p instanceof PResidual r) layers.add(new ConvNetwork.ResidualLayer(r.c(), r.h(), r.w(), r.hidden(), hidden, after));
    }
    String inputShape = in.image() ? in.c() + "x" + in.h() + "x" + in.w() : String.valueOf(in.width());
    return new ConvNetwork(name, name(), in.width(), inputShape, layers);
  }

  private static Shape input(NetTerm t) {
    if (t instanceof NetTerm.Num) return new Shape(NetArgs.width(t), 1, 1, false);
    if (t instanceof NetTerm.Call c && c.name().equals("image")) return image(c);
    throw new NetworkError("a Conv network starts with its input: a width, or an image shape like image(1, 28, 28)", t.where());
  }

  /** The most values a layer's output, or one example's column matrix, may hold. */
  static final long MAX_VALUES = 100_000_000L;

  private static Shape image(NetTerm.Call c) {
    LayerArgs la = LayerArgs.of(c, List.of(), 3, 3, "image takes channels, height and width, like image(1, 28, 28)");
    int ch = NetArgs.wholeNumber(la.positional.get(0), "the channels of an image", 1);
    int h = NetArgs.wholeNumber(la.positional.get(1), "the height of an image", 1);
    int w = NetArgs.wholeNumber(la.positional.get(2), "the width of an image", 1);
    if ((long) ch * h * w > MAX_VALUES) {
      throw new NetworkError("image(" + ch + ", " + h + ", " + w + ") holds " + ((long) ch * h * w) + " values, more than " + MAX_VALUES, c.where());
    }
    return new Shape(ch, h, w, true);
  }

  private static ConvGeometry conv(NetTerm.Call c, Shape cur) {
    requireImage(c, cur);
    String how = c.name() + " takes its output channels and kernel, like " + c.name() + "(32, kernel = 4, stride = 2, padding = 1)";
    LayerArgs la = LayerArgs.of(c, List.of("kernel", "stride", "padding"), 1, 1, how);
    int channels = NetArgs.wholeNumber(la.positional.get(0), "the output channels of " + c.name(), 1);
    NetTerm.Arg k = la.named.get("kernel");
    if (k == null) throw new NetworkError(c.name() + " needs its kernel size: " + how, c.where());
    int kernel = NetArgs.wholeNumber(k.value(), "kernel", 1);
    int stride = la.named.containsKey("stride") ? NetArgs.wholeNumber(la.named.get("stride").value(), "stride", 1) : 1;
    int padding = la.named.containsKey("padding") ? NetArgs.wholeNumber(la.named.get("padding").value(), "padding", 0) : 0;
    boolean transposed = c.name().equals("deconv");
    String why = ConvGeometry.problem(cur.c(), cur.h(), cur.w(), channels, kernel, stride, padding, transposed);
    if (why != null) throw new NetworkError(c.name() + " on a " + cur.text() + " image: " + why, c.where());
    long oh = transposed ? (long) (cur.h() - 1) * stride - 2L * padding + kernel : (cur.h() + 2L * padding - kernel) / stride + 1;
    long ow = transposed ? (long) (cur.w() - 1) * stride - 2L * padding + kernel : (cur.w() + 2L * padding - kernel) / stride + 1;
    long taps = (long) (transposed ? channels : cur.c()) * kernel * kernel;
    long positions = transposed ? (long) cur.h() * cur.w() : oh * ow;
    if (channels * oh * ow > MAX_VALUES || taps * positions > MAX_VALUES) {
      throw new NetworkError(c.name() + " on a " + cur.text() + " image is too large: " + channels + "x" + oh + "x" + ow
          + " outputs from " + taps + " taps at each of " + positions + " positions (at most " + MAX_VALUES + " values each)", c.where());
    }
    return new ConvGeometry(cur.c(), cur.h(), cur.w(), channels, kernel, stride, padding, transposed);
  }

  private static void requireImage(NetTerm.Call c, Shape cur) {
    if (!cur.image()) {
      throw new NetworkError(c.name() + " needs an image, but here the value is " + cur.text()
          + "; give its shape first, like image(64, 7, 7) -> " + c.name() + "(...)", c.where());
    }
  }

  private static NetworkError unknownLayer(NetTerm t) {
    String how = "a layer is a width, image(C, H, W), conv(...), deconv(...), residual(...) or flatten";
    if (t instanceof NetTerm.Name n && LAYERS.contains(n.name())) {
      return new NetworkError(n.name() + " needs its arguments in parentheses; " + how, t.where());
    }
    if (t instanceof NetTerm.Name n) return new NetworkError("unknown layer '" + n.name() + "'; " + how, t.where(), n.name(), LAYERS);
    if (t instanceof NetTerm.Call c) return new NetworkError("unknown layer '" + c.name() + "'; " + how, c.nameWhere(), c.name(), LAYERS);
    return new NetworkError(how, t.where());
  }

  /** A layer call's arguments: a number of positional ones in a range, and known named ones. */
  private record LayerArgs(List<NetTerm> positional, Map<String, NetTerm.Arg> named) {
    static LayerArgs of(NetTerm.Call c, List<String> names, int minPos, int maxPos, String how) {
      List<NetTerm> pos = new ArrayList<>();
      Map<String, NetTerm.Arg> named = new LinkedHashMap<>();
      for (NetTerm.Arg a : c.args()) {
        if (a.name() == null) {
          if (!named.isEmpty()) throw new NetworkError("positional arguments come before named ones: " + how, a.where());
          pos.add(a.value());
        } else if (!names.contains(a.name())) {
          throw new NetworkError(c.name() + " has no option '" + a.name() + "'" + (names.isEmpty() ? "" : "; it has " + String.join(", ", names)),
              a.where(), a.name(), names);
        } else if (named.containsKey(a.name())) {
          throw new NetworkError("option '" + a.name() + "' is given twice", a.where());
        } else named.put(a.name(), a);
      }
      if (pos.size() < minPos || pos.size() > maxPos) throw new NetworkError(how, c.where());
      return new LayerArgs(pos, named);
    }
  }
}
