package vaec.runtime.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSet;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.strict.ELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftPlus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;

/**
 * Thin wrappers over ND4J's element-wise kernels that write into a given buffer. Every method
 * here is one native op and makes no ND4J buffer, which is what keeps a training step free of
 * per-step allocation (StepAllocationTest counts them).
 *
 * <p>How, in ND4J 1.0.0-M2.1, where the obvious calls allocate: an op made with a scalar argument
 * ({@code x.muli(0.5)}, {@code new RectifiedLinear(x, z, 0)}, {@code assign(0)}) makes a scalar
 * array (a data buffer and a shape buffer) every time; a custom op ({@code x.addi(y)}, MulOp and
 * the other pairwise ops) builds a native op context every time; a broadcast op makes its
 * dimension array and four TAD shape buffers every time; {@code sumNumber()} makes six. So each
 * thread keeps one instance of each scalar op (with a scalar array of its own, overwritten before
 * each call) and one op context that its pairwise and broadcasting ops run in; broadcasting over
 * columns is a pairwise custom op with numpy broadcasting of a batch x 1 operand.
 * ({@link KernelsAllocationTest} checks every method here for zero buffers.)
 */
public final class Kernels {
  private Kernels() {}

  /** One thread's reusable op instances and op context (ops run on the training and the helper thread at once). */
  private static final class Reusable {
    final OpContext context = Nd4j.getExecutioner().buildContext();
    final ScalarMultiplication scale = new ScalarMultiplication();
    final ScalarAdd addScalar = new ScalarAdd();
    final ScalarReverseSubtraction rsubScalar = new ScalarReverseSubtraction();
    final ScalarReverseDivision rdivScalar = new ScalarReverseDivision();
    final ScalarSet fill = new ScalarSet();
    final RectifiedLinear relu = new RectifiedLinear();
    final Step step = new Step();
    /** Pairwise ops without arguments: the context carries the arrays (about 1 KB of heap less per call than a new op). */
    final MulOp mul = new MulOp();
    final AddOp add = new AddOp();
    final SubOp sub = new SubOp();
    final DivOp div = new DivOp();
    /** The scalar argument of each op above, by op and data type (made on first use). */
    final java.util.Map<ScalarOp, INDArray[]> scalars = new java.util.IdentityHashMap<>();

    void scalar(ScalarOp op, INDArray x, INDArray z, double v) {
      INDArray[] byType = scalars.computeIfAbsent(op, k -> new INDArray[DataType.values().length]);
      DataType t = x.dataType();
      INDArray s = byType[t.ordinal()];
      if (s == null) byType[t.ordinal()] = s = Nd4j.scalar(t, 0.0);
      s.putScalar(0, v);
      if (op.getOpType() == org.nd4j.linalg.api.ops.Op.Type.SCALAR && s.dataType() == t && DirectOps.applies(x, z)) {
        DirectOps.scalar(op.opNum(), x, z, s, extraArgs(op, t));
        return;
      }
      op.setX(x);
      op.setZ(z);
      op.setScalar(s);
      Nd4j.getExecutioner().exec(op);
      op.setX(null);   // no reference to the arrays is kept past the call
      op.setZ(null);
    }

    /** The ops' hashes, asked once: DynamicCustomOp.opHash() splits ND4J's list of op names on every call. */
    final long mulHash = mul.opHash(), addHash = add.opHash(), subHash = sub.opHash(), divHash = div.opHash();

    /**
     * The op's extra arguments as the native kernel reads them (Step's cutoff, for one), made once
     * per op and data type: these ops keep their extra arguments from construction on.
     */
    final java.util.Map<ScalarOp, org.bytedeco.javacpp.Pointer[]> extras = new java.util.IdentityHashMap<>();
    /** The buffers behind those addresses, kept alive as long as the addresses are used. */
    final java.util.List<org.nd4j.linalg.api.buffer.DataBuffer> extraBuffers = new java.util.ArrayList<>();

    org.bytedeco.javacpp.Pointer extraArgs(ScalarOp op, DataType t) {
      if (op.extraArgs() == null) return null;
      org.bytedeco.javacpp.Pointer[] byType = extras.computeIfAbsent(op, k -> new org.bytedeco.javacpp.Pointer[DataType.values().length]);
      org.bytedeco.javacpp.Pointer p = byType[t.ordinal()];
      if (p == null) {
        org.nd4j.linalg.api.buffer.DataBuffer b = op.extraArgsDataBuff(t);
        if (b == null) return null;
        extraBuffers.add(b);
        byType[t.ordinal()] = p = b.addressPointer();
      }
      return p;
    }

    void custom(CustomOp op, INDArray a, INDArray b, INDArray z) {
      if (DirectOps.applies(a, z) && b.dataType() == a.dataType() && !b.isEmpty()) {
        long hash = op == mul ? mulHash : op == add ? addHash : op == sub ? subHash : op == div ? divHash : op.opHash();
        DirectOps.custom(op, hash, context, a, b, z);
        return;
      }
      context.setInputArray(0, a);
      context.setInputArray(1, b);
      context.setOutputArray(0, z);
      Nd4j.getExecutioner().exec(op, context);
    }
  }

  private static final ThreadLocal<Reusable> REUSABLE = ThreadLocal.withInitial(Reusable::new);

  // Transforms: one prototype op per kind gives its number and type for the direct call (no op
  // object per call); other backends get a new op per call through ND4J's executioner.
  private static final Exp EXP = new Exp();
  private static final Log LOG = new Log();
  private static final SoftPlus SOFTPLUS = new SoftPlus();
  private static final Sigmoid SIGMOID = new Sigmoid();
  private static final Tanh TANH = new Tanh();
  private static final Sqrt SQRT = new Sqrt();
  private static final org.nd4j.linalg.api.ops.impl.transforms.same.Abs ABS = new org.nd4j.linalg.api.ops.impl.transforms.same.Abs();

  /** Runs {@code proto}'s kernel on x into z directly when it can (see DirectOps); returns false when it cannot. */
  private static boolean direct(org.nd4j.linalg.api.ops.TransformOp proto, INDArray x, INDArray z) {
    if (!DirectOps.applies(x, z)) return false;
    DirectOps.transform(proto.getOpType(), proto.opNum(), x, z);
    return true;
  }

  /**
   * Fills z with random numbers from {@code rng} by the random op {@code make} builds for z (a
   * distribution with fixed parameters; {@code kind} tells this call site's distributions apart,
   * 0 to 3). On the CPU with the direct kernels the op is built once per array, kind and thread and
   * libnd4j is called directly with the same arguments ND4J's executioner passes (the same numbers;
   * DirectOpsTest), since a new op per call and the executioner's pointers are heap garbage.
   */
  public static void random(INDArray z, int kind, java.util.function.Function<INDArray, org.nd4j.linalg.api.ops.random.BaseRandomOp> make,
                            org.nd4j.linalg.api.rng.Random rng) {
    if (DirectOps.applies(z, z) && rng instanceof org.nd4j.rng.NativeRandom) {
      Handles.Entry e = Handles.of(z);
      DirectOps.RandomFill f = e.random[kind];
      if (f == null) f = e.random[kind] = DirectOps.RandomFill.of(make.apply(z), z);
      if (f != null) {
        f.run(z, rng);
        return;
      }
    }
    Nd4j.getExecutioner().exec(make.apply(z), rng);
  }

  /**
   * Element i of a vector (rank 1, or one row or one column), as {@code x.getDouble(i)}, which makes
   * index arrays on every call for a rank-2 array. Float32 on the direct kernels reads the host
   * memory (through Handles); anything else asks ND4J.
   */
  public static double element(INDArray x, long i) {
    long at = vectorIndex(x, i);
    return at < 0 ? x.getDouble(i) : Handles.nio(x).get((int) at);
  }

  /** Sets element i of a vector to v (rounded to the array's type), as {@code x.putScalar(i, v)}. */
  public static void putElement(INDArray x, long i, double v) {
    long at = vectorIndex(x, i);
    if (at < 0) x.putScalar(i, v);
    else Handles.nio(x).put((int) at, (float) v);
  }

  /** Where element i of a float32 vector lies in its NIO view (as FusedBernoulli indexes it), or -1 for ND4J's own access. */
  private static long vectorIndex(INDArray x, long i) {
    if (!KernelPath.direct() || x.dataType() != DataType.FLOAT || i < 0 || i >= x.length()) return -1;
    long stride;
    if (x.rank() == 1) stride = x.stride(0);
    else if (x.rank() == 2 && x.rows() == 1) stride = x.columns() == 1 ? 1 : x.stride(1);
    else if (x.rank() == 2 && x.columns() == 1) stride = x.stride(0);
    else return -1;
    return x.offset() + i * stride;
  }

  private static final org.nd4j.linalg.api.ops.impl.transforms.any.Assign ASSIGN = new org.nd4j.linalg.api.ops.impl.transforms.any.Assign();

  /** z = x, element by element, for arrays of one shape (any strides): {@code z.assign(x)} without its op object and pointers. */
  public static void copy(INDArray x, INDArray z) {
    if (x == z) return;
    if (RowCopy.applies(x, z)) {   // matrices with contiguous rows: one memcpy per row
      RowCopy.copy(x, z);
      return;
    }
    if (sameShape(x, z) && direct(ASSIGN, x, z)) return;
    z.assign(x);
  }

  private static boolean sameShape(INDArray a, INDArray b) {
    int r = a.rank();
    if (b.rank() != r) return false;
    for (int i = 0; i < r; i++) if (a.size(i) != b.size(i)) return false;
    return true;
  }

  public static void exp(INDArray x, INDArray z) { if (!direct(EXP, x, z)) Nd4j.getExecutioner().exec(new Exp(x, z)); }
  public static void log(INDArray x, INDArray z) { if (!direct(LOG, x, z)) Nd4j.getExecutioner().exec(new Log(x, z)); }
  public static void softplus(INDArray x, INDArray z) { if (!direct(SOFTPLUS, x, z)) Nd4j.getExecutioner().exec(new SoftPlus(x, z)); }
  public static void sigmoid(INDArray x, INDArray z) { if (!direct(SIGMOID, x, z)) Nd4j.getExecutioner().exec(new Sigmoid(x, z)); }
  public static void tanh(INDArray x, INDArray z) { if (!direct(TANH, x, z)) Nd4j.getExecutioner().exec(new Tanh(x, z)); }
  public static void relu(INDArray x, INDArray z) { REUSABLE.get().scalar(REUSABLE.get().relu, x, z, 0.0); }
  public static void elu(INDArray x, INDArray z) { Nd4j.getExecutioner().exec(new ELU(x, z)); }
  public static void abs(INDArray x, INDArray z) {
    if (!direct(ABS, x, z)) Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.same.Abs(x, z));
  }
  /** The sum of a * b over all elements (one reduction; its scalar result is the only allocation). */
  public static double dot(INDArray a, INDArray b) {
    return Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.reduce3.Dot(a, b)).getDouble(0);
  }
  public static void sqrt(INDArray x, INDArray z) { if (!direct(SQRT, x, z)) Nd4j.getExecutioner().exec(new Sqrt(x, z)); }
  /** z = 1 where x > 0, else 0. */
  public static void step(INDArray x, INDArray z) { Reusable r = REUSABLE.get(); r.scalar(r.step, x, z, 0.0); }

  /** z = a x. */
  public static void scale(INDArray x, double a, INDArray z) { Reusable r = REUSABLE.get(); r.scalar(r.scale, x, z, a); }

  /** z = x + b. */
  public static void addScalar(INDArray x, double b, INDArray z) { Reusable r = REUSABLE.get(); r.scalar(r.addScalar, x, z, b); }

  /** z = c - x. */
  public static void rsubScalar(INDArray x, double c, INDArray z) { Reusable r = REUSABLE.get(); r.scalar(r.rsubScalar, x, z, c); }

  /** z = c / x. */
  public static void rdivScalar(INDArray x, double c, INDArray z) { Reusable r = REUSABLE.get(); r.scalar(r.rdivScalar, x, z, c); }

  /** Every element of z = v (what {@code z.assign(v)} does, without its scalar array). */
  public static void fill(INDArray z, double v) { Reusable r = REUSABLE.get(); r.scalar(r.fill, z, z, v); }

  /** target (batch x w) = d (batch x w) times g (batch x 1) broadcast over columns. */
  public static void putRowScaled(INDArray target, INDArray d, INDArray g) { mul(d, g, target); }

  /** z (batch x w) = x - c with c (batch x 1) broadcast over columns. */
  public static void subColumn(INDArray x, INDArray c, INDArray z) { sub(x, c, z); }

  /** z (batch x w) = x + r with r (1 x w, or of rank 1) broadcast over rows: a bias. */
  public static void addRow(INDArray x, INDArray r, INDArray z) { add(x, r, z); }

  /**
   * z (batch x 1) = max over columns of x. On the CPU a loop over the host memory of float arrays
   * (ND4J's reduction along a dimension makes eight buffers per call); ND4J's reduction otherwise.
   */
  public static void rowMax(INDArray x, INDArray z) {
    if (!KernelPath.direct() || x.dataType() != DataType.FLOAT || z.dataType() != DataType.FLOAT || x.rank() != 2 || z.rank() != 2
        || x.isEmpty() || z.rows() != x.rows() || z.columns() != 1) {
      Nd4j.getExecutioner().exec(new Max(x, z.reshape(z.rows()), 1));
      return;
    }
    long rows = x.rows();
    long cols = x.columns();
    long s0 = x.stride(0);
    long s1 = x.stride(1);
    long zs = z.stride(0);
    java.nio.FloatBuffer xb = host(x, (rows - 1) * s0 + (cols - 1) * s1 + 1);
    java.nio.FloatBuffer zb = host(z, (rows - 1) * zs + 1);
    for (long i = 0; i < rows; i++) {
      int base = (int) (i * s0);
      float m = Float.NEGATIVE_INFINITY;
      for (long j = 0; j < cols; j++) {
        float v = xb.get(base + (int) (j * s1));
        if (v > m || v != v) m = v;   // a NaN propagates, as ND4J's max does
        if (m != m) break;
      }
      zb.put((int) (i * zs), m);
    }
  }

  /**
   * The host memory of a float array as a buffer of {@code span} elements from the array's first:
   * a view's data buffer starts at the view's offset (ND4J M2 makes a buffer per view; see Gemm).
   */
  private static java.nio.FloatBuffer host(INDArray x, long span) {
    return Handles.host(x, span);   // made once per array and thread
  }

  /**
   * z (batch x 1) = sum over columns of x, as a product with a ones vector: 12 us against 150 us
   * for ND4J's reduction along dimension 1 on a 128 x 784 matrix (measured).
   */
  public static void rowSum(INDArray x, INDArray z) {
    Gemm.gemm(x, false, ones(x.dataType(), x.columns()), true, z, 1.0, 0.0);
  }

  /**
   * The sum of a batch x 1 column (a per-example term), as a product with a ones row into
   * {@code total}, a 1 x 1 buffer of the caller's: {@code sumNumber()} makes six ND4J buffers.
   * Any other shape is summed by ND4J.
   */
  public static double columnSum(INDArray column, INDArray total) {
    if (column.rank() != 2 || column.columns() != 1 || column.dataType() != total.dataType()) return column.sumNumber().doubleValue();
    Gemm.gemm(ones(column.dataType(), column.rows()), false, column, false, total, 1.0, 0.0);
    return total.getDouble(0);
  }

  /** The ones rows made so far, by data type (copied on write; read without a lock). */
  private static final java.util.concurrent.atomic.AtomicReferenceArray<INDArray[]> ONES_BY_TYPE = onesTable();

  private static java.util.concurrent.atomic.AtomicReferenceArray<INDArray[]> onesTable() {
    java.util.concurrent.atomic.AtomicReferenceArray<INDArray[]> t = new java.util.concurrent.atomic.AtomicReferenceArray<>(DataType.values().length);
    for (int i = 0; i < t.length(); i++) t.set(i, new INDArray[0]);
    return t;
  }

  /** Added to a root mean square so that an all-zero row gives a tiny positive value, not 0. */
  public static final double TINY_RMS = 1e-30;

  /** r (batch x 1) = sqrt(mean over columns of v^2) + TINY_RMS; {@code work} is a batch x width buffer. */
  public static void rowRms(INDArray v, INDArray r, INDArray work) {
    mul(v, v, work);
    rowSum(work, r);
    r.muli(1.0 / v.columns());
    sqrt(r, r);
    r.addi(TINY_RMS);
  }

  /** A cached 1 x n row of ones (created once per type and length, never per step). */
  static INDArray ones(org.nd4j.linalg.api.buffer.DataType t, long n) {
    // A scan of the few rows made so far for this type (a string key per call allocated on every step).
    INDArray[] known = ONES_BY_TYPE.get(t.ordinal());
    for (INDArray o : known) if (o.columns() == n) return o;
    synchronized (ONES_BY_TYPE) {
      known = ONES_BY_TYPE.get(t.ordinal());
      for (INDArray o : known) if (o.columns() == n) return o;
      INDArray o = Nd4j.ones(t, 1, n);
      INDArray[] more = java.util.Arrays.copyOf(known, known.length + 1);
      more[known.length] = o;
      ONES_BY_TYPE.set(t.ordinal(), more);
      return o;
    }
  }

  // Element-wise binary ops through the op classes: about half the time of INDArray.mul(b, out),
  // which re-checks shapes for broadcasting on every call (58 against 129 us on 128 x 784). Run in
  // the thread's op context rather than a new one per call. b may be a batch x 1 column or a row
  // of z's width (numpy broadcasting); z may be a or b.
  public static void mul(INDArray a, INDArray b, INDArray z) { Reusable r = REUSABLE.get(); r.custom(r.mul, a, b, z); }
  public static void add(INDArray a, INDArray b, INDArray z) { Reusable r = REUSABLE.get(); r.custom(r.add, a, b, z); }
  public static void sub(INDArray a, INDArray b, INDArray z) { Reusable r = REUSABLE.get(); r.custom(r.sub, a, b, z); }
  public static void div(INDArray a, INDArray b, INDArray z) { Reusable r = REUSABLE.get(); r.custom(r.div, a, b, z); }
}
