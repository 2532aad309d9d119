package vaec.stdlib.networks;

import java.util.ArrayList;
import java.util.List;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.ConvGeometry;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.Binary;
import vaec.runtime.ops.Conv2d;
import vaec.runtime.ops.Dense;
import vaec.runtime.ops.StopGradient;
import vaec.runtime.ops.Unary;

/**
 * A network of convolutions, transposed convolutions, residual blocks and dense layers, built by
 * {@link ConvFamily}. Values stay flat in the graph (batch x C*H*W, channel-major); the image
 * shapes live here. Parameters are "NAME.I.W" and "NAME.I.b" for layer I (counting the layers
 * with parameters), and "NAME.I.conv3.W", ".conv3.b", ".conv1.W", ".conv1.b" for a residual block.
 */
public record ConvNetwork(String name, String family, int inputWidth, String inputShape, List<Layer> layers) implements NetworkSpec {

  /** One layer with parameters. {@code after} is the activation applied to its output. */
  public sealed interface Layer {
    long parameterCount();

    List<ParamInit> params(String prefix);

    Node apply(Graph g, SourceRef origin, Node x, String prefix, boolean frozen);

    int outWidth();

    /** "conv 32x14x14 (relu)". */
    String text();
  }

  /** A fully connected layer on a flat vector. */
  public record DenseLayer(int in, int out, Activation after) implements Layer {
    @Override public long parameterCount() { return (long) in * out + out; }

    @Override public List<ParamInit> params(String p) {
      double bound = 1.0 / Math.sqrt(in);
      return List.of(ParamInit.uniform(p + ".W", bound, in, out), ParamInit.uniform(p + ".b", bound, out));
    }

    @Override public Node apply(Graph g, SourceRef o, Node x, String p, boolean frozen) {
      return g.apply(new Dense(after), o, x, param(g, o, p + ".W", frozen, in, out), param(g, o, p + ".b", frozen, out));
    }

    @Override public int outWidth() { return out; }

    @Override public String text() { return out + suffix(after); }
  }

  /** A convolution or transposed convolution with its bias, then {@code after}. */
  public record ConvLayer(ConvGeometry geo, Activation after) implements Layer {
    @Override public long parameterCount() { return geo.parameterCount(); }

    @Override public List<ParamInit> params(String p) {
      double bound = 1.0 / Math.sqrt(geo.fanIn());
      return List.of(ParamInit.uniform(p + ".W", bound, geo.weightShape()), ParamInit.uniform(p + ".b", bound, geo.outC()));
    }

    @Override public Node apply(Graph g, SourceRef o, Node x, String p, boolean frozen) {
      return g.apply(new Conv2d(geo, after), o, x, param(g, o, p + ".W", frozen, geo.weightShape()), param(g, o, p + ".b", frozen, geo.outC()));
    }

    @Override public int outWidth() { return geo.outWidth(); }

    @Override public String text() { return (geo.transposed() ? "deconv " : "conv ") + geo.outShape() + suffix(after); }
  }

  /**
   * A residual block of the VQ-VAE paper (van den Oord et al. 2017): x + conv1x1(f(conv3x3(f(x))))
   * with f = {@code inner}, the 3x3 convolution to {@code hidden} channels (padding 1) and the
   * 1x1 back to the block's channels; then {@code after}.
   */
  public record ResidualLayer(int channels, int h, int w, int hidden, Activation inner, Activation after) implements Layer {
    ConvGeometry conv3() { return new ConvGeometry(channels, h, w, hidden, 3, 1, 1, false); }

    ConvGeometry conv1() { return new ConvGeometry(hidden, h, w, channels, 1, 1, 0, false); }

    @Override public long parameterCount() { return conv3().parameterCount() + conv1().parameterCount(); }

    @Override public List<ParamInit> params(String p) {
      List<ParamInit> ps = new ArrayList<>(new ConvLayer(conv3(), inner).params(p + ".conv3"));
      ps.addAll(new ConvLayer(conv1(), Activation.IDENTITY).params(p + ".conv1"));
      return ps;
    }

    @Override public Node apply(Graph g, SourceRef o, Node x, String p, boolean frozen) {
      Node h1 = activate(g, o, x, inner);
      Node c = new ConvLayer(conv3(), inner).apply(g, o, h1, p + ".conv3", frozen);
      Node d = new ConvLayer(conv1(), Activation.IDENTITY).apply(g, o, c, p + ".conv1", frozen);
      return activate(g, o, g.apply(new Binary(Binary.Kind.ADD), o, x, d), after);
    }

    @Override public int outWidth() { return channels * h * w; }

    @Override public String text() { return "residual " + channels + "x" + h + "x" + w + "/" + hidden + suffix(after); }
  }

  @Override public int outputWidth() { return layers.get(layers.size() - 1).outWidth(); }

  @Override public long parameterCount() {
    return layers.stream().mapToLong(Layer::parameterCount).sum();
  }

  @Override public List<ParamInit> params() {
    List<ParamInit> ps = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) ps.addAll(layers.get(i).params(name + "." + i));
    return ps;
  }

  @Override public Node apply(Graph g, SourceRef origin, Node input, boolean frozen) {
    Node h = input;
    for (int i = 0; i < layers.size(); i++) h = layers.get(i).apply(g, origin, h, name + "." + i, frozen);
    return h;
  }

  /** "1x28x28 -> conv 32x14x14 (relu) -> conv 64x7x7 (relu) -> 40". */
  @Override public String architecture() {
    StringBuilder b = new StringBuilder(inputShape);
    for (Layer l : layers) b.append(" -> ").append(l.text());
    return b.toString();
  }

  static String suffix(Activation a) {
    return a == Activation.IDENTITY ? "" : " (" + a.lowerName() + ")";
  }

  static Node activate(Graph g, SourceRef o, Node x, Activation a) {
    if (a == Activation.IDENTITY) return x;
    return g.apply(new Unary(Unary.Fn.valueOf(a.name())), o, x);
  }

  static Node param(Graph g, SourceRef o, String name, boolean frozen, long... shape) {
    Node p = g.param(name, shape);
    return frozen ? g.apply(new StopGradient(), o, p) : p;
  }
}
