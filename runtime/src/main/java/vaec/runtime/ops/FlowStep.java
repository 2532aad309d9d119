package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * One step of a normalizing flow, z -> z' = f(z; theta, context), with its log|det df/dz| per row:
 * the output is {@code batch x (D + 1)}, z' in the first D columns and the log-determinant in the
 * last. Inputs: z (batch x D); then the step's parameters theta, either one value per row
 * (amortized: one input of width P, batch x P) or global (one parameter tensor per block, whose
 * concatenation is theta, the same for every row); then, when the flow reads one, a context value
 * (batch x C) from the encoder.
 *
 * <p>Subclasses give the mathematics of one row in float64 ({@link #forwardRow} and its exact
 * backward pass {@link #backwardRow}, written by hand, micrograd style); this class moves rows
 * between ND4J and the host and sums the gradients of global parameters over the batch. Flow
 * widths are small (tens of columns), so the host loop is cheap next to the networks around it.
 */
public abstract class FlowStep implements Op {
  protected final int d;
  protected final int[] blocks;
  private final boolean global;
  protected final int context;
  private final int p;

  /**
   * @param d the latent's width
   * @param blocks the sizes of theta's blocks (global: one parameter input per block; amortized:
   *     one input of their total width)
   * @param global whether theta is global (parameters) or per row
   * @param context the context's width, 0 when the step reads none
   */
  protected FlowStep(int d, int[] blocks, boolean global, int context) {
    this.d = d;
    this.blocks = blocks.clone();
    this.global = global;
    this.context = context;
    int total = 0;
    for (int b : blocks) total += b;
    this.p = total;
  }

  /** theta's total size. */
  public int parameterCount() { return p; }

  public int width() { return d; }

  /** How many theta inputs follow z. */
  private int thetaInputs() { return global ? blocks.length : 1; }

  /** z' into {@code out} (length D); returns log|det dz'/dz|. */
  public abstract double forwardRow(double[] z, double[] theta, double[] ctx, double[] out);

  /**
   * Adds into gz, gTheta and gCtx (null when not wanted) the gradients of gOut . z' + gLogDet *
   * log|det| with respect to z, theta and the context, at (z, theta, ctx).
   */
  public abstract void backwardRow(double[] z, double[] theta, double[] ctx, double[] gOut, double gLogDet,
                                   double[] gz, double[] gTheta, double[] gCtx);

  /** Whether {@link #inverseRow} exists in closed form. */
  public boolean hasInverse() { return false; }

  /** z from z' (length D), where the step has a closed-form inverse. */
  public void inverseRow(double[] zOut, double[] theta, double[] ctx, double[] z) {
    throw new UnsupportedOperationException(describe() + " has no closed-form inverse");
  }

  @Override
  public int outputWidth(List<Node> in) {
    int expected = 1 + thetaInputs() + (context > 0 ? 1 : 0);
    if (in.size() != expected) throw new IllegalArgumentException(describe() + ": " + in.size() + " inputs, expected " + expected);
    if (in.get(0).width() != d) throw new IllegalArgumentException(describe() + ": z has width " + in.get(0).width() + ", expected " + d);
    if (global) {
      for (int i = 0; i < blocks.length; i++) {
        if (in.get(1 + i).width() != blocks[i]) {
          throw new IllegalArgumentException(describe() + ": parameter block " + i + " has width " + in.get(1 + i).width() + ", expected " + blocks[i]);
        }
      }
    } else if (in.get(1).width() != p) {
      throw new IllegalArgumentException(describe() + ": parameters have width " + in.get(1).width() + ", expected " + p);
    }
    if (context > 0 && in.get(in.size() - 1).width() != context) {
      throw new IllegalArgumentException(describe() + ": context has width " + in.get(in.size() - 1).width() + ", expected " + context);
    }
    return d + 1;
  }

  private static double[][] rows(INDArray m) {
    int r = (int) m.rows();
    int c = (int) m.columns();
    double[] flat = m.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[][] out = new double[r][c];
    for (int i = 0; i < r; i++) System.arraycopy(flat, i * c, out[i], 0, c);
    return out;
  }

  private double[] globalTheta(INDArray[] in) {
    double[] theta = new double[p];
    int at = 0;
    for (int b = 0; b < blocks.length; b++) {
      // one bulk copy per block (element-wise getDouble costs about a microsecond each: IAF's blocks hold tens of thousands)
      double[] v = in[1 + b].reshape(blocks[b]).castTo(DataType.DOUBLE).dup('c').data().asDouble();
      System.arraycopy(v, 0, theta, at, blocks[b]);
      at += blocks[b];
    }
    return theta;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    double[][] z = rows(in[0]);
    double[][] theta = global ? null : rows(in[1]);
    double[] shared = global ? globalTheta(in) : null;
    double[][] ctx = context > 0 ? rows(in[in.length - 1]) : null;
    double[][] res = new double[z.length][d + 1];
    double[] zOut = new double[d];
    for (int r = 0; r < z.length; r++) {
      double ld = forwardRow(z[r], global ? shared : theta[r], ctx == null ? null : ctx[r], zOut);
      System.arraycopy(zOut, 0, res[r], 0, d);
      res[r][d] = ld;
    }
    out.assign(Nd4j.createFromArray(res).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray gOutAll, INDArray[] gIn, INDArray[] scratch) {
    double[][] z = rows(in[0]);
    double[][] theta = global ? null : rows(in[1]);
    double[] shared = global ? globalTheta(in) : null;
    double[][] ctx = context > 0 ? rows(in[in.length - 1]) : null;
    double[][] g = rows(gOutAll);
    int n = z.length;
    double[][] gz = new double[n][d];
    double[][] gTheta = global ? null : new double[n][p];
    double[] gShared = global ? new double[p] : null;
    double[][] gCtx = context > 0 ? new double[n][context] : null;
    double[] gOut = new double[d];
    for (int r = 0; r < n; r++) {
      System.arraycopy(g[r], 0, gOut, 0, d);
      backwardRow(z[r], global ? shared : theta[r], ctx == null ? null : ctx[r], gOut, g[r][d], gz[r],
          global ? gShared : gTheta[r], gCtx == null ? null : gCtx[r]);
    }
    if (gIn[0] != null) gIn[0].assign(Nd4j.createFromArray(gz).castTo(gIn[0].dataType()));
    if (global) {
      int at = 0;
      for (int b = 0; b < blocks.length; b++) {
        INDArray t = gIn[1 + b];
        if (t != null) t.assign(Nd4j.createFromArray(java.util.Arrays.copyOfRange(gShared, at, at + blocks[b])).reshape(t.shape()).castTo(t.dataType()));
        at += blocks[b];
      }
    } else if (gIn[1] != null) {
      gIn[1].assign(Nd4j.createFromArray(gTheta).castTo(gIn[1].dataType()));
    }
    if (context > 0 && gIn[in.length - 1] != null) {
      gIn[in.length - 1].assign(Nd4j.createFromArray(gCtx).castTo(gIn[in.length - 1].dataType()));
    }
  }

  // ---- small helpers the steps share

  protected static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
    return s;
  }

  protected static double softplus(double x) { return x > 30 ? x : Math.log1p(Math.exp(x)); }

  protected static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }
}
