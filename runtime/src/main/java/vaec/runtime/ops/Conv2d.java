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
  /** Which arithmetic: ND4J's conv2d/deconv2d custom ops, or im2col on the host with {@link Gemm}. */
  public enum Kernels { ND4J, IM2COL }

  /** The default, VAEC_CONV_KERNELS=nd4j or im2col overriding it (for measuring one against the other). */
  public static final Kernels DEFAULT = "nd4j".equalsIgnoreCase(System.getenv("VAEC_CONV_KERNELS")) ? Kernels.ND4J : Kernels.IM2COL;

  private final ConvGeometry geo;
  private final Activation activation;
  private final Kernels kernels;
  private Host host;   // host arrays for the im2col path, sized for the batch on first use

  public Conv2d(ConvGeometry geo, Activation activation) {
    this(geo, activation, DEFAULT);
  }

  public Conv2d(ConvGeometry geo, Activation activation, Kernels kernels) {
    this.geo = geo;
    this.activation = activation;
    this.kernels = kernels;
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
    if (kernels == Kernels.IM2COL) {
      // 0: the pre-activation gradient; 1: the column matrix [C*k*k, B*P] (B rows of C*k*k*P);
      // 2: the channel-major output (convolution) or input (transposed) [C, B*P].
      return new int[] {geo.outWidth(), kk() * positions(), geo.transposed() ? geo.inWidth() : geo.outWidth()};
    }
    return new int[] {geo.outWidth(), geo.inWidth(), geo.inWidth(), geo.outWidth()};
  }

  /** Rows of the column matrix: the unfolded image's channels times the kernel's taps. */
  private int kk() {
    return (geo.transposed() ? geo.outC() : geo.inC()) * geo.kernel() * geo.kernel();
  }

  /** Kernel positions per example: the output's pixels (convolution) or the input's (transposed). */
  private int positions() {
    return geo.transposed() ? geo.inH() * geo.inW() : geo.outH() * geo.outW();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    if (kernels == Kernels.IM2COL) {
      forwardIm2col(in, out, scratch);
      return;
    }
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
    if (kernels == Kernels.IM2COL) {
      backwardIm2col(in, dPre, gIn, scratch);
      return;
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

  // ---- im2col with the project's gemm ----------------------------------------------------------
  //
  // Convolution: colT [C*k*k, B*P] = im2col(x); yT [O, B*P] = W [O, C*k*k] colT; y = yT in
  // example-major order, plus b. Backward: dT = dPre channel-major; dW = dT colT^T;
  // dcolT = W^T dT, folded back by col2im into dx; db = row sums of dT.
  // Transposed: xT [Cin, B*P] = x channel-major; colT [Cout*k*k, B*P] = W^T xT, folded by col2im
  // over the output image into y, plus b. Backward: colT = im2col(dPre) over the output image;
  // dW = xT colT^T; dxT = W colT; db = per-channel sums of dPre.

  /** Host arrays, float[] or double[] as the graph's dtype. */
  private static final class Host {
    final boolean f;
    final int batch;
    final Object in, out, col, chm;
    final double[] bias, dbias;
    final float[] biasF, dbiasF;

    Host(boolean f, int batch, int inLen, int outLen, int colLen, int chmLen, int outC) {
      this.f = f;
      this.batch = batch;
      in = f ? new float[inLen] : new double[inLen];
      out = f ? new float[outLen] : new double[outLen];
      col = f ? new float[colLen] : new double[colLen];
      chm = f ? new float[chmLen] : new double[chmLen];
      bias = new double[outC];
      dbias = new double[outC];
      biasF = new float[outC];
      dbiasF = new float[outC];
    }
  }

  private Host host(INDArray like, int batch) {
    boolean f = like.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT;
    if (!f && like.dataType() != org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
      throw new IllegalArgumentException(describe() + ": im2col kernels need float or double, got " + like.dataType());
    }
    if (host == null || host.batch != batch || host.f != f) {
      int chm = batch * (geo.transposed() ? geo.inWidth() : geo.outWidth());
      host = new Host(f, batch, batch * geo.inWidth(), batch * geo.outWidth(), batch * kk() * positions(), chm, geo.outC());
    }
    return host;
  }

  private void forwardIm2col(INDArray[] in, INDArray out, INDArray[] scratch) {
    int batch = (int) out.rows();
    Host h = host(out, batch);
    int k = geo.kernel(), s = geo.stride(), pad = geo.padding(), p = positions();
    INDArray colT = scratch[1].reshape('c', kk(), (long) batch * p);
    vaec.runtime.kernels.Im2col.read(in[0], h.in);
    if (!geo.transposed()) {
      if (h.f) vaec.runtime.kernels.Im2col.im2col((float[]) h.in, batch, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (float[]) h.col);
      else vaec.runtime.kernels.Im2col.im2col((double[]) h.in, batch, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (double[]) h.col);
      vaec.runtime.kernels.Im2col.write(h.col, colT);
      INDArray yT = scratch[2].reshape('c', geo.outC(), (long) batch * p);
      vaec.runtime.kernels.Gemm.gemm(in[1], false, colT, false, yT, 1.0, 0.0);
      vaec.runtime.kernels.Im2col.read(yT, h.chm);
      if (h.f) vaec.runtime.kernels.Im2col.toExampleMajor((float[]) h.chm, batch, geo.outC(), p, (float[]) h.out);
      else vaec.runtime.kernels.Im2col.toExampleMajor((double[]) h.chm, batch, geo.outC(), p, (double[]) h.out);
    } else {
      if (h.f) vaec.runtime.kernels.Im2col.toChannelMajor((float[]) h.in, batch, geo.inC(), p, (float[]) h.chm);
      else vaec.runtime.kernels.Im2col.toChannelMajor((double[]) h.in, batch, geo.inC(), p, (double[]) h.chm);
      INDArray xT = scratch[2].reshape('c', geo.inC(), (long) batch * p);
      vaec.runtime.kernels.Im2col.write(h.chm, xT);
      vaec.runtime.kernels.Gemm.gemm(in[1], true, xT, false, colT, 1.0, 0.0);
      vaec.runtime.kernels.Im2col.read(colT, h.col);
      if (h.f) vaec.runtime.kernels.Im2col.col2im((float[]) h.col, batch, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (float[]) h.out);
      else vaec.runtime.kernels.Im2col.col2im((double[]) h.col, batch, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (double[]) h.out);
    }
    addBias(in[2], h, batch);
    vaec.runtime.kernels.Im2col.write(h.out, out);
    activation.apply(out, out);
  }

  private void addBias(INDArray b, Host h, int batch) {
    if (h.f) {
      float[] bf = h.biasF;
      vaec.runtime.kernels.Im2col.read(b, bf);
      float[] y = (float[]) h.out;
      int q = geo.outH() * geo.outW();
      for (int n = 0; n < batch; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        float v = bf[o];
        for (int i = 0; i < q; i++) y[base + i] += v;
      }
    } else {
      vaec.runtime.kernels.Im2col.read(b, h.bias);
      double[] y = (double[]) h.out;
      int q = geo.outH() * geo.outW();
      for (int n = 0; n < batch; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        double v = h.bias[o];
        for (int i = 0; i < q; i++) y[base + i] += v;
      }
    }
  }

  private void backwardIm2col(INDArray[] in, INDArray dPre, INDArray[] gIn, INDArray[] scratch) {
    int batch = (int) dPre.rows();
    Host h = host(dPre, batch);
    int k = geo.kernel(), s = geo.stride(), pad = geo.padding(), p = positions();
    INDArray colT = scratch[1].reshape('c', kk(), (long) batch * p);
    vaec.runtime.kernels.Im2col.read(dPre, h.out);
    if (gIn[2] != null) {
      int q = geo.outH() * geo.outW();
      double[] db = h.dbias;
      java.util.Arrays.fill(db, 0.0);
      for (int n = 0; n < batch; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        double acc = 0;
        if (h.f) { float[] d = (float[]) h.out; for (int i = 0; i < q; i++) acc += d[base + i]; }
        else { double[] d = (double[]) h.out; for (int i = 0; i < q; i++) acc += d[base + i]; }
        db[o] += acc;
      }
      if (h.f) {
        float[] dbf = h.dbiasF;
        for (int o = 0; o < db.length; o++) dbf[o] = (float) db[o];
        vaec.runtime.kernels.Im2col.write(dbf, gIn[2]);
      } else vaec.runtime.kernels.Im2col.write(db, gIn[2]);
    }
    if (!geo.transposed()) {
      INDArray dT = scratch[2].reshape('c', geo.outC(), (long) batch * p);
      if (h.f) vaec.runtime.kernels.Im2col.toChannelMajor((float[]) h.out, batch, geo.outC(), p, (float[]) h.chm);
      else vaec.runtime.kernels.Im2col.toChannelMajor((double[]) h.out, batch, geo.outC(), p, (double[]) h.chm);
      vaec.runtime.kernels.Im2col.write(h.chm, dT);
      // colT still holds the forward pass's columns.
      if (gIn[1] != null) vaec.runtime.kernels.Gemm.gemm(dT, false, colT, true, gIn[1], 1.0, 0.0);
      if (gIn[0] != null) {
        vaec.runtime.kernels.Gemm.gemm(in[1], true, dT, false, colT, 1.0, 0.0);
        vaec.runtime.kernels.Im2col.read(colT, h.col);
        if (h.f) vaec.runtime.kernels.Im2col.col2im((float[]) h.col, batch, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (float[]) h.in);
        else vaec.runtime.kernels.Im2col.col2im((double[]) h.col, batch, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (double[]) h.in);
        vaec.runtime.kernels.Im2col.write(h.in, gIn[0]);
      }
    } else {
      if (h.f) vaec.runtime.kernels.Im2col.im2col((float[]) h.out, batch, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (float[]) h.col);
      else vaec.runtime.kernels.Im2col.im2col((double[]) h.out, batch, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (double[]) h.col);
      vaec.runtime.kernels.Im2col.write(h.col, colT);
      INDArray xT = scratch[2].reshape('c', geo.inC(), (long) batch * p);   // the forward pass's channel-major input
      if (gIn[1] != null) vaec.runtime.kernels.Gemm.gemm(xT, false, colT, true, gIn[1], 1.0, 0.0);
      if (gIn[0] != null) {
        vaec.runtime.kernels.Gemm.gemm(in[1], false, colT, false, xT, 1.0, 0.0);
        vaec.runtime.kernels.Im2col.read(xT, h.chm);
        if (h.f) vaec.runtime.kernels.Im2col.toExampleMajor((float[]) h.chm, batch, geo.inC(), p, (float[]) h.in);
        else vaec.runtime.kernels.Im2col.toExampleMajor((double[]) h.chm, batch, geo.inC(), p, (double[]) h.in);
        vaec.runtime.kernels.Im2col.write(h.in, gIn[0]);
      }
    }
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
