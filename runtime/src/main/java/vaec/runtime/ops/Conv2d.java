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
 * <p>Two implementations of the arithmetic. The default, {@link Kernels#IM2COL}: the image batch
 * unfolded into columns on the host ({@link vaec.runtime.kernels.Im2col}) and one matrix product
 * with {@link vaec.runtime.kernels.Gemm} per chunk of examples. The alternative, {@link
 * Kernels#ND4J}: libnd4j's conv2d / deconv2d and their _bp ops, called with the executor's
 * buffers as outputs (the backend-neutral path, taken on a GPU). The first measured 3.6x faster for the conv VAE's layers on the 2-core
 * development machine (ND4J's backward passes were the slow part); see the README's section on
 * convolutional networks. Both agree with a direct loop in float64 (Conv2dTest).
 */
public final class Conv2d implements Op {
  /** Which arithmetic: ND4J's conv2d/deconv2d custom ops, or im2col on the host with the project's gemm. */
  public enum Kernels { ND4J, IM2COL }

  /**
   * The default when the op is made: im2col on the CPU backend, VAEC_CONV_KERNELS=nd4j overriding
   * it (for measuring one against the other); ND4J's ops, the backend-neutral path, on any other
   * backend or when {@link vaec.runtime.kernels.KernelPath} says neutral (im2col reads and writes
   * the arrays' host memory directly).
   */
  public static Kernels defaultKernels() {
    if (!vaec.runtime.kernels.KernelPath.direct()) return Kernels.ND4J;
    String v = System.getenv("VAEC_CONV_KERNELS");
    return v != null && "nd4j".equalsIgnoreCase(v.trim()) ? Kernels.ND4J : Kernels.IM2COL;
  }

  /** Checks a VAEC_CONV_KERNELS setting: unset, blank, 'im2col' or 'nd4j' (any case); anything else is a user error naming the value. */
  public static void checkSetting(String setting) {
    if (setting == null || setting.isBlank() || setting.trim().equalsIgnoreCase("im2col") || setting.trim().equalsIgnoreCase("nd4j")) return;
    throw new vaec.runtime.UserError("VAEC_CONV_KERNELS is '" + setting + "': expected 'im2col' or unset (im2col and the project's gemm, "
        + "the default on the CPU) or 'nd4j' (ND4J's conv2d ops)");
  }

  private final ConvGeometry geo;
  private final Activation activation;
  private final Kernels kernels;
  private final long chunkElements;
  /**
   * The im2col path's buffers, sized for a chunk on first use: one set per thread, because a
   * training step run as two halves of the batch calls the same op from two threads at once.
   */
  private final ThreadLocal<Host> host = new ThreadLocal<>();

  public Conv2d(ConvGeometry geo, Activation activation) {
    this(geo, activation, defaultKernels());
  }

  public Conv2d(ConvGeometry geo, Activation activation, Kernels kernels) {
    this(geo, activation, kernels, CHUNK_ELEMENTS);
  }

  /** With the column matrices' size per chunk set (tests use small chunks). */
  Conv2d(ConvGeometry geo, Activation activation, Kernels kernels, long chunkElements) {
    this.geo = geo;
    this.activation = activation;
    this.kernels = kernels;
    this.chunkElements = chunkElements;
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
    // With im2col only 0: the column matrices are the op's own, a chunk of examples at a time.
    if (kernels == Kernels.IM2COL) return new int[] {geo.outWidth()};
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
    if (!vaec.runtime.kernels.KernelPath.direct()) vaec.runtime.kernels.KernelPath.noteNeutral(vaec.runtime.kernels.KernelPath.Kernel.CONV2D);
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
  // A chunk of nb examples at a time (the whole training batch for the conv VAE's layers; an
  // evaluation batch of batch x K rows in pieces, so memory stays bounded), P positions each.
  // Convolution: colT [C*k*k, nb*P] = im2col(x); yT [O, nb*P] = W [O, C*k*k] colT; y = yT in
  // example-major order, plus b. Backward: dT = dPre channel-major; dW += dT colT^T (colT
  // recomputed); dcolT = W^T dT, folded back by col2im into dx; db = sums of dPre per channel.
  // Transposed: xT [Cin, nb*P] = x channel-major; colT [Cout*k*k, nb*P] = W^T xT, folded by
  // col2im over the output image into y, plus b. Backward: colT = im2col(dPre) over the output
  // image; dW += xT colT^T; dxT = W colT.

  /** Column matrices per chunk: about this many elements (16 MiB of floats). */
  static final long CHUNK_ELEMENTS = 1L << 22;

  /** Host arrays (float[] or double[] as the graph's dtype) and device matrices for one chunk. */
  private static final class Host {
    final boolean f;
    final int chunk;
    final Object in, out, col, chm;
    final double[] bias, dbias;
    final float[] biasF, dbiasF;
    final INDArray colT, mat;

    Host(boolean f, int chunk, ConvGeometry geo, int kk, int p) {
      this.f = f;
      this.chunk = chunk;
      int chmLen = chunk * (geo.transposed() ? geo.inWidth() : geo.outWidth());
      in = f ? new float[chunk * geo.inWidth()] : new double[chunk * geo.inWidth()];
      out = f ? new float[chunk * geo.outWidth()] : new double[chunk * geo.outWidth()];
      col = f ? new float[kk * chunk * p] : new double[kk * chunk * p];
      chm = f ? new float[chmLen] : new double[chmLen];
      bias = new double[geo.outC()];
      dbias = new double[geo.outC()];
      biasF = new float[geo.outC()];
      dbiasF = new float[geo.outC()];
      org.nd4j.linalg.api.buffer.DataType t = f ? org.nd4j.linalg.api.buffer.DataType.FLOAT : org.nd4j.linalg.api.buffer.DataType.DOUBLE;
      colT = Nd4j.create(t, kk, (long) chunk * p);
      mat = Nd4j.create(t, geo.transposed() ? geo.inC() : geo.outC(), (long) chunk * p);
    }

    /** The first nb*P columns of a chunk matrix. */
    INDArray cols(INDArray m, int nb, int p) {
      return nb == chunk ? m : m.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, (long) nb * p));
    }
  }

  private Host host(INDArray like, int batch) {
    boolean f = like.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT;
    if (!f && like.dataType() != org.nd4j.linalg.api.buffer.DataType.DOUBLE) {
      throw new IllegalArgumentException(describe() + ": im2col kernels need float or double, got " + like.dataType());
    }
    int chunk = (int) Math.max(1, Math.min(batch, chunkElements / ((long) kk() * positions())));
    Host h = host.get();
    if (h == null || h.f != f || h.chunk < chunk) {
      h = new Host(f, chunk, geo, kk(), positions());
      host.set(h);
    }
    return h;
  }

  private static INDArray rows(INDArray m, int from, int n) {
    return from == 0 && n == m.rows() ? m
        : m.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + n), org.nd4j.linalg.indexing.NDArrayIndex.all());
  }

  private void forwardIm2col(INDArray[] in, INDArray out, INDArray[] scratch) {
    int batch = (int) out.rows();
    Host h = host(out, batch);
    int k = geo.kernel(), s = geo.stride(), pad = geo.padding(), p = positions();
    for (int n0 = 0; n0 < batch; n0 += h.chunk) {
      int nb = Math.min(h.chunk, batch - n0);
      INDArray colT = h.cols(h.colT, nb, p);
      INDArray mat = h.cols(h.mat, nb, p);
      vaec.runtime.kernels.Im2col.read(rows(in[0], n0, nb), h.in);
      if (!geo.transposed()) {
        if (h.f) vaec.runtime.kernels.Im2col.im2col((float[]) h.in, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (float[]) h.col);
        else vaec.runtime.kernels.Im2col.im2col((double[]) h.in, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (double[]) h.col);
        vaec.runtime.kernels.Im2col.write(h.col, colT);
        vaec.runtime.kernels.Gemm.gemm(in[1], false, colT, false, mat, 1.0, 0.0);
        vaec.runtime.kernels.Im2col.read(mat, h.chm);
        if (h.f) vaec.runtime.kernels.Im2col.toExampleMajor((float[]) h.chm, nb, geo.outC(), p, (float[]) h.out);
        else vaec.runtime.kernels.Im2col.toExampleMajor((double[]) h.chm, nb, geo.outC(), p, (double[]) h.out);
      } else {
        if (h.f) vaec.runtime.kernels.Im2col.toChannelMajor((float[]) h.in, nb, geo.inC(), p, (float[]) h.chm);
        else vaec.runtime.kernels.Im2col.toChannelMajor((double[]) h.in, nb, geo.inC(), p, (double[]) h.chm);
        vaec.runtime.kernels.Im2col.write(h.chm, mat);
        vaec.runtime.kernels.Gemm.gemm(in[1], true, mat, false, colT, 1.0, 0.0);
        vaec.runtime.kernels.Im2col.read(colT, h.col);
        if (h.f) vaec.runtime.kernels.Im2col.col2im((float[]) h.col, nb, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (float[]) h.out);
        else vaec.runtime.kernels.Im2col.col2im((double[]) h.col, nb, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (double[]) h.out);
      }
      addBias(in[2], h, nb);
      vaec.runtime.kernels.Im2col.write(h.out, rows(out, n0, nb));
    }
    activation.apply(out, out);
  }

  private void addBias(INDArray b, Host h, int nb) {
    int q = geo.outH() * geo.outW();
    if (h.f) {
      float[] bf = h.biasF;
      vaec.runtime.kernels.Im2col.read(b, bf);
      float[] y = (float[]) h.out;
      for (int n = 0; n < nb; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        float v = bf[o];
        for (int i = 0; i < q; i++) y[base + i] += v;
      }
    } else {
      vaec.runtime.kernels.Im2col.read(b, h.bias);
      double[] y = (double[]) h.out;
      for (int n = 0; n < nb; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        double v = h.bias[o];
        for (int i = 0; i < q; i++) y[base + i] += v;
      }
    }
  }

  private void backwardIm2col(INDArray[] in, INDArray dPre, INDArray[] gIn, INDArray[] scratch) {
    int batch = (int) dPre.rows();
    Host h = host(dPre, batch);
    int k = geo.kernel(), s = geo.stride(), pad = geo.padding(), p = positions(), q = geo.outH() * geo.outW();
    double[] db = h.dbias;
    java.util.Arrays.fill(db, 0.0);
    for (int n0 = 0; n0 < batch; n0 += h.chunk) {
      int nb = Math.min(h.chunk, batch - n0);
      double beta = n0 == 0 ? 0.0 : 1.0;   // the weight gradient sums over chunks
      INDArray colT = h.cols(h.colT, nb, p);
      INDArray mat = h.cols(h.mat, nb, p);
      vaec.runtime.kernels.Im2col.read(rows(dPre, n0, nb), h.out);
      for (int n = 0; n < nb; n++) for (int o = 0; o < geo.outC(); o++) {
        int base = (n * geo.outC() + o) * q;
        double acc = 0;
        if (h.f) { float[] d = (float[]) h.out; for (int i = 0; i < q; i++) acc += d[base + i]; }
        else { double[] d = (double[]) h.out; for (int i = 0; i < q; i++) acc += d[base + i]; }
        db[o] += acc;
      }
      vaec.runtime.kernels.Im2col.read(rows(in[0], n0, nb), h.in);
      if (!geo.transposed()) {
        if (h.f) vaec.runtime.kernels.Im2col.im2col((float[]) h.in, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (float[]) h.col);
        else vaec.runtime.kernels.Im2col.im2col((double[]) h.in, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (double[]) h.col);
        vaec.runtime.kernels.Im2col.write(h.col, colT);
        if (h.f) vaec.runtime.kernels.Im2col.toChannelMajor((float[]) h.out, nb, geo.outC(), p, (float[]) h.chm);
        else vaec.runtime.kernels.Im2col.toChannelMajor((double[]) h.out, nb, geo.outC(), p, (double[]) h.chm);
        vaec.runtime.kernels.Im2col.write(h.chm, mat);
        if (gIn[1] != null) vaec.runtime.kernels.Gemm.gemm(mat, false, colT, true, gIn[1], 1.0, beta);
        if (gIn[0] != null) {
          vaec.runtime.kernels.Gemm.gemm(in[1], true, mat, false, colT, 1.0, 0.0);
          vaec.runtime.kernels.Im2col.read(colT, h.col);
          if (h.f) vaec.runtime.kernels.Im2col.col2im((float[]) h.col, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (float[]) h.in);
          else vaec.runtime.kernels.Im2col.col2im((double[]) h.col, nb, geo.inC(), geo.inH(), geo.inW(), k, s, pad, geo.outH(), geo.outW(), (double[]) h.in);
          vaec.runtime.kernels.Im2col.write(h.in, rows(gIn[0], n0, nb));
        }
      } else {
        if (h.f) vaec.runtime.kernels.Im2col.im2col((float[]) h.out, nb, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (float[]) h.col);
        else vaec.runtime.kernels.Im2col.im2col((double[]) h.out, nb, geo.outC(), geo.outH(), geo.outW(), k, s, pad, geo.inH(), geo.inW(), (double[]) h.col);
        vaec.runtime.kernels.Im2col.write(h.col, colT);
        if (h.f) vaec.runtime.kernels.Im2col.toChannelMajor((float[]) h.in, nb, geo.inC(), p, (float[]) h.chm);
        else vaec.runtime.kernels.Im2col.toChannelMajor((double[]) h.in, nb, geo.inC(), p, (double[]) h.chm);
        vaec.runtime.kernels.Im2col.write(h.chm, mat);
        if (gIn[1] != null) vaec.runtime.kernels.Gemm.gemm(mat, false, colT, true, gIn[1], 1.0, beta);
        if (gIn[0] != null) {
          vaec.runtime.kernels.Gemm.gemm(in[1], false, colT, false, mat, 1.0, 0.0);
          vaec.runtime.kernels.Im2col.read(mat, h.chm);
          if (h.f) vaec.runtime.kernels.Im2col.toExampleMajor((float[]) h.chm, nb, geo.inC(), p, (float[]) h.in);
          else vaec.runtime.kernels.Im2col.toExampleMajor((double[]) h.chm, nb, geo.inC(), p, (double[]) h.in);
          vaec.runtime.kernels.Im2col.write(h.in, rows(gIn[0], n0, nb));
        }
      }
    }
    if (gIn[2] != null) {
      if (h.f) {
        float[] dbf = h.dbiasF;
        for (int o = 0; o < db.length; o++) dbf[o] = (float) db[o];
        vaec.runtime.kernels.Im2col.write(dbf, gIn[2]);
      } else vaec.runtime.kernels.Im2col.write(db, gIn[2]);
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
