package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.ConvGeometry;

/**
 * A 2-D convolution, or transposed convolution, fused with its bias and activation:
 * y = f(conv(x, W) + b), inputs (x, W, b). x is batch x C*H*W and y batch x outC*OH*OW, both
 * channel-major (NCHW) rows, so the flat buffers are the 4-D tensors without a copy. W has the
 * shape {@link ConvGeometry#weightShape()} and b the width outC.
 *
 * <p>The arithmetic is ND4J's own kernels (libnd4j's conv2d / deconv2d and their _bp ops, im2col
 * plus a BLAS product inside), called with the executor's buffers as their outputs. Measured on
 * the 2-core development machine against this project's own im2col with {@link
 * vaec.runtime.kernels.Gemm}: see the README's section on convolutional networks.
 */
public final class Conv2d implements Op {
  private final ConvGeometry geo;
  private final Activation activation;

  public Conv2d(ConvGeometry geo, Activation activation) {
    this.geo = geo;
    this.activation = activation;
  }

  public ConvGeometry geometry() { return geo; }

  public Activation activation() { return activation; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.size() != 3) throw new IllegalArgumentException(describe() + ": takes (x, W, b), got " + in.size() + " inputs");
    if (in.get(0).width() != geo.inWidth()) {
      throw new IllegalArgumentException(describe() + ": input width " + in.get(0).width() + " is not " + geo.inShape());
    }
    long[] w = paramShape(in.get(1));
    long[] want = geo.weightShape();
    if (w == null || w.length != 2 || w[0] != want[0] || w[1] != want[1]) {
      throw new IllegalArgumentException(describe() + ": weight " + in.get(1) + " is not " + want[0] + "x" + want[1]);
    }
    if (in.get(2).width() != geo.outC()) throw new IllegalArgumentException(describe() + ": bias width " + in.get(2).width());
    return geo.outWidth();
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    // 0: the pre-activation gradient; 1: the input gradient when none is asked for (the _bp op
    // always writes one); 2: the input gradient when the one handed over is a strided view.
    // 3: the output when the executor's is a strided view.
    return new int[] {geo.outWidth(), geo.inWidth(), geo.inWidth(), geo.outWidth()};
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    int batch = (int) out.rows();
    INDArray x = image(in[0], batch, geo.inC(), geo.inH(), geo.inW());
    INDArray o = contiguous(out) ? out : scratch[3];
    INDArray y = image(o, batch, geo.outC(), geo.outH(), geo.outW());
    DynamicCustomOp op = DynamicCustomOp.builder(geo.transposed() ? "deconv2d" : "conv2d")
        .addInputs(x, weight(in[1]), vector(in[2]))
        .addOutputs(y)
        .addIntegerArguments(intArgs())
        .build();
    Nd4j.exec(op);
    if (o != out) out.assign(o);
    activation.apply(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, INDArray[] scratch) {
    int batch = (int) out.rows();
    INDArray dPre = gOut;
    if (activation != Activation.IDENTITY) {
      dPre = scratch[0];
      activation.derivativeFromOutput(out, dPre);
      dPre.muli(gOut);
    }
    INDArray gx = gIn[0] == null ? scratch[1] : contiguous(gIn[0]) ? gIn[0] : scratch[2];
    INDArray gw = gIn[1] != null && contiguous(gIn[1]) ? gIn[1] : Nd4j.create(in[1].dataType(), geo.weightShape());
    INDArray gb = gIn[2] != null && contiguous(gIn[2]) ? gIn[2] : Nd4j.create(in[2].dataType(), 1, geo.outC());
    INDArray gw4 = weight(gw);
    INDArray gb1 = vector(gb);
    DynamicCustomOp op = DynamicCustomOp.builder(geo.transposed() ? "deconv2d_bp" : "conv2d_bp")
        .addInputs(image(in[0], batch, geo.inC(), geo.inH(), geo.inW()), weight(in[1]), vector(in[2]),
            image(dPre, batch, geo.outC(), geo.outH(), geo.outW()))
        .addOutputs(image(gx, batch, geo.inC(), geo.inH(), geo.inW()), gw4, gb1)
        .addIntegerArguments(intArgs())
        .build();
    Nd4j.exec(op);
    if (gIn[0] != null && gx != gIn[0]) gIn[0].assign(gx);
    if (gIn[1] != null && gw != gIn[1]) gIn[1].assign(gw.reshape(gIn[1].shape()));
    if (gIn[2] != null && gb != gIn[2]) gIn[2].assign(gb.reshape(gIn[2].shape()));
  }

  private int[] intArgs() {
    int k = geo.kernel(), s = geo.stride(), p = geo.padding();
    // kH, kW, sH, sW, pH, pW, dH, dW, same-mode (0: explicit padding), data format (0: NCHW),
    // weight format (1: [outC, inC, k, k] for conv2d, [inC, outC, k, k] for deconv2d).
    return new int[] {k, k, s, s, p, p, 1, 1, 0, 0, 1};
  }

  private INDArray weight(INDArray w) {
    int k = geo.kernel();
    return geo.transposed() ? w.reshape('c', geo.inC(), geo.outC(), k, k) : w.reshape('c', geo.outC(), geo.inC(), k, k);
  }

  private static INDArray vector(INDArray b) {
    return b.rank() == 1 ? b : b.reshape('c', b.length());
  }

  private static INDArray image(INDArray flat, int batch, int c, int h, int w) {
    return flat.reshape('c', batch, c, h, w);
  }

  /** Whether a 4-D reshape of this matrix shares its buffer (a dense row-major block). */
  private static boolean contiguous(INDArray a) {
    if (a.rank() == 1) return a.elementWiseStride() == 1;
    return a.rank() == 2 && (a.rows() == 1 || a.stride(0) == a.columns()) && (a.columns() == 1 || a.stride(1) == 1);
  }

  private static long[] paramShape(Node w) {
    while (w.kind() == Node.Kind.OP && w.op() instanceof StopGradient) w = w.input(0);
    return w.paramShape();
  }

  @Override
  public String describe() {
    return (geo.transposed() ? "deconv2d" : "conv2d") + "[" + geo.inShape() + "->" + geo.outShape() + ", k" + geo.kernel()
        + " s" + geo.stride() + " p" + geo.padding() + ", " + activation.lowerName() + "]";
  }
}
