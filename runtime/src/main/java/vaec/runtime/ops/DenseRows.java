package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.Gemm;
import vaec.runtime.kernels.Kernels;

/**
 * One block of a dense layer's product: y = f(x W[from:to] + b + r), with W[from:to] the rows
 * {@code from} to {@code to} - 1 of the layer's whole weight (the block of rows a part of the
 * layer's input meets), and the bias b and the addend r each optional. Inputs: x, W, then b if
 * {@link #bias}, then r if {@link #addend}.
 *
 * <p>A dense layer over a concatenation is the sum of such blocks, one per part. That lets a
 * part computed once per example and repeated into the blocks of an enumerated latent's stacked
 * rows ({@link RepeatRows}) meet its rows of W once per example, before the repetition, instead
 * of once per block (see the compiler's {@code RepeatedRowsFactoring}). The weight stays one
 * parameter: this op reads a view of its rows and writes its gradient there. Its gradient is
 * complete, as the executor expects of an op whose first contribution it hands the whole
 * gradient: the rows this op does not touch are zeroed on a first write and left alone when it
 * adds ({@link #backwardAccumulating}).
 */
public final class DenseRows implements Op {
  private final int from;
  private final int to;
  private final Activation activation;
  private final boolean bias;
  private final boolean addend;

  public DenseRows(int from, int to, Activation activation, boolean bias, boolean addend) {
    if (from < 0 || to <= from) throw new IllegalArgumentException("weight rows " + from + ":" + to);
    this.from = from;
    this.to = to;
    this.activation = activation;
    this.bias = bias;
    this.addend = addend;
  }

  public int from() { return from; }
  public int to() { return to; }
  public Activation activation() { return activation; }
  public boolean bias() { return bias; }
  public boolean addend() { return addend; }

  private int addendInput() { return bias ? 3 : 2; }

  @Override
  public int outputWidth(List<Node> in) {
    int expected = 2 + (bias ? 1 : 0) + (addend ? 1 : 0);
    if (in.size() != expected) throw new IllegalArgumentException(describe() + ": " + in.size() + " inputs, not " + expected);
    long[] w = Dense.weightShape(in.get(1));
    if (w == null || w.length != 2 || to > w[0] || in.get(0).width() != to - from) {
      throw new IllegalArgumentException(describe() + ": input width " + in.get(0).width() + " vs weight " + in.get(1));
    }
    int out = (int) w[1];
    if (bias && in.get(2).width() != out) throw new IllegalArgumentException(describe() + ": bias " + in.get(2) + " vs width " + out);
    if (addend && in.get(addendInput()).width() != out) {
      throw new IllegalArgumentException(describe() + ": added " + in.get(addendInput()) + " vs width " + out);
    }
    return out;
  }

  @Override
  public int[] scratchWidths(List<Node> in) {
    return Dense.scratchWidths(outputWidth(in));
  }

  @Override
  public void initScratch(INDArray[] scratch) {
    Dense.onesColumn(scratch);
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] scratch) {
    INDArray w = views(in[1])[0];
    if (addend) {
      Kernels.copy(in[addendInput()], out);
      Gemm.gemm(in[0], false, w, false, out, 1.0, 1.0);
    } else {
      Gemm.gemm(in[0], false, w, false, out, 1.0, 0.0);
    }
    if (bias) Dense.biasAndActivation(activation, out, in[2]);
    else activation.apply(out, out);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, INDArray[] scratch) {
    backwardAccumulating(in, out, gOut, gIn, NONE, scratch);
  }

  private static final boolean[] NONE = new boolean[4];

  /** The gradients of x, W and b are gemms, which add into their targets for free (beta = 1); the addend's is a copy. */
  @Override
  public boolean accumulatesGradient(int input) { return input < 2 || bias && input == 2; }

  @Override
  public void backwardAccumulating(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, boolean[] accumulate,
                                   INDArray[] scratch) {
    INDArray dPre = Dense.preActivationGradient(activation, out, gOut, scratch[0]);
    if (gIn[1] != null) {
      INDArray[] g = views(gIn[1]);
      Gemm.gemm(in[0], true, dPre, false, g[0], 1.0, accumulate[1] ? 1.0 : 0.0);
      // A first write covers the whole weight: the other rows' share of this op is zero.
      if (!accumulate[1]) for (int k = 1; k < g.length; k++) Kernels.fill(g[k], 0);
    }
    if (bias && gIn[2] != null) Gemm.gemm(scratch[1], true, dPre, false, gIn[2], 1.0, accumulate[2] ? 1.0 : 0.0);
    if (addend && gIn[addendInput()] != null) Kernels.copy(dPre, gIn[addendInput()]);
    if (gIn[0] != null) Gemm.gemm(dPre, false, views(in[1])[0], true, gIn[0], 1.0, accumulate[0] ? 1.0 : 0.0);
  }

  /**
   * Views of a weight (or its gradient) made once per buffer, as {@link Concat}'s are (a view
   * made per call is an ND4J buffer per call): its rows {@code from:to}, then the rows before and
   * after them (absent where empty). Cleared past a bound, in case a caller passes fresh arrays.
   */
  private synchronized INDArray[] views(INDArray w) {
    INDArray[] v = views.get(w);
    if (v != null) return v;
    if (views.size() >= 4096) views.clear();
    List<INDArray> vs = new java.util.ArrayList<>();
    vs.add(rows(w, from, to));
    if (from > 0) vs.add(rows(w, 0, from));
    if (to < w.rows()) vs.add(rows(w, to, (int) w.rows()));
    v = vs.toArray(new INDArray[0]);
    views.put(w, v);
    return v;
  }

  /**
   * Rows {@code a} to {@code b} - 1 of a matrix, as a view. For a contiguous row-major matrix (a
   * parameter inside the flat vector, a gradient buffer), as a stretch of its elements:
   * ND4J 1.0.0-M2.1's interval along the rows of such a view returns an empty array when the
   * stretch starts past the view's length less its offset in the flat vector (rows 400:410 of a
   * weight far into the vector), which RepeatedRowsFactoringTest met.
   */
  static INDArray rows(INDArray w, int a, int b) {
    long cols = w.columns();
    if (w.ordering() == 'c' && w.stride(1) == 1 && w.stride(0) == cols) {
      return w.reshape(-1).get(NDArrayIndex.interval(a * cols, b * cols)).reshape(b - a, cols);
    }
    INDArray v = w.get(NDArrayIndex.interval(a, b), NDArrayIndex.all());
    if (v.rank() != 2 || v.rows() != b - a) throw new IllegalStateException("rows " + a + ":" + b + " of " + w.shapeInfoToString() + " gave " + v.shapeInfoToString());
    return v;
  }

  private final java.util.Map<INDArray, INDArray[]> views = new java.util.IdentityHashMap<>();

  @Override
  public String describe() {
    return "dense_rows[" + from + ":" + to + (bias ? " +bias" : "") + (addend ? " +added" : "") + "][" + activation.lowerName() + "]";
  }
}
