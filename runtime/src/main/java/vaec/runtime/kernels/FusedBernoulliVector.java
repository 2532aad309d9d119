package vaec.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FusedBernoulli}'s two kernels in place on ND4J's native buffers, with the JDK's Vector
 * API ({@link VectorApi}): the log-density {@code v = x l - softplus(l)} summed per row with the
 * logit gradient {@code d = x - sigmoid(l)}, and the backward row scaling with its flush of
 * near-subnormal values. The arithmetic is the heap form's, operation for operation (exp by
 * Cody-Waite reduction and a polynomial, log1p as 2 atanh(e / (2 + e))), so each element's value
 * and gradient are the same floats (FusedBernoulliTest compares them bit for bit); only the order
 * of the per-row sums, in double, differs. Not the Vector API's own exp and log1p: those are
 * Intel's SVML once C2 compiles the loop but Java's Math before, so a run's numbers would depend
 * on when the JIT compiled (measured: two runs with the same seed differed in the second epoch).
 * Without the copies to the heap and with 16 lanes. Only loaded when {@link VectorApi#ON}.
 */
final class FusedBernoulliVector {
  private FusedBernoulliVector() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private static final float LOG2E = ExpReduction.LOG2E, LN2_HI = ExpReduction.LN2_HI, LN2_LO = ExpReduction.LN2_LO,
      ROUND = ExpReduction.ROUND;
  private static final float Q0 = 0.3333320915699005f, Q1 = 0.20010429620742798f, Q2 = 0.14010341465473175f,
      Q3 = 0.1394471973180771f;

  /** 2^23 as a float: adding it to an integer k in [0, 2^23) leaves k in the low bits of the sum. */
  private static final float TWO23 = 8388608f;

  /**
   * One vector's worth of elements: from x and l at byte offsets {@code xo} and {@code lo}, writes
   * x - sigmoid(l) to d at {@code dOff} and x l - softplus(l) to the heap array v at {@code vo}.
   * The heap form's arithmetic operation for operation, from e = exp(-min(|l|, 86)) by Cody-Waite
   * reduction and a polynomial; the factor 2^-k (k in 0..124) is made from k's bits (k + 2^23
   * read as an int holds k; {@code (127 - k) << 23} read as a float is 2^-k), where the heap form
   * multiplies exact powers of two: both exact, so e is the same float, normal for every logit.
   * All in one method with no vector crossing a call: C2 in JDK 17 would otherwise refuse to
   * inline the helpers ("callee is too large") and box every vector, measured 3-4x slower; and no
   * float-int conversion, which it does not intrinsify either.
   */
  static void block(ByteBuffer xb, int xo, ByteBuffer lb, int lo, ByteBuffer db, int dOff, float[] v, int vo) {
    FloatVector x = FloatVector.fromByteBuffer(F, xb, xo, NATIVE);
    FloatVector l = FloatVector.fromByteBuffer(F, lb, lo, NATIVE);
    FloatVector a = l.abs().min(FusedBernoulli.A_MAX);
    FloatVector k = a.mul(LOG2E).add(ROUND).sub(ROUND);
    FloatVector r = k.mul(LN2_HI).sub(a).add(k.mul(LN2_LO));
    FloatVector q = r.mul(ExpReduction.P0).add(ExpReduction.P1);   // ExpReduction.expm1, lane by lane
    q = q.mul(r).add(ExpReduction.P2);
    q = q.mul(r).add(ExpReduction.P3);
    q = q.mul(r).add(ExpReduction.P4);
    q = q.mul(r).add(ExpReduction.P5);
    FloatVector p = q.mul(r).mul(r).add(r).add(1f);
    // For a NaN logit k is NaN and its bits nonsense, but p is NaN, and so is everything after.
    IntVector kBits = k.add(TWO23).reinterpretAsInts().sub(Float.floatToRawIntBits(TWO23));
    FloatVector e = p.mul(kBits.neg().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    // log1p(e) = 2 atanh(s), s = e / (2 + e): s + 2^-40 squared is never subnormal
    FloatVector s = e.div(e.add(2f));
    FloatVector sc = s.add(0x1p-40f);
    FloatVector s2 = sc.mul(sc);
    FloatVector t = s2.mul(Q3).add(Q2).mul(s2).add(Q1).mul(s2).add(Q0);
    x.mul(l).sub(l.max(0f).add(s.mul(2f).mul(s2.mul(t).add(1f)))).intoArray(v, vo);
    // sigmoid(l) = (e + u (1 - e)) / (1 + e), u = min(max(l 1e30, 0), 1)
    FloatVector u = l.mul(1e30f).max(0f).min(1f);
    x.sub(e.add(u.mul(e.neg().add(1f))).div(e.add(1f))).intoByteBuffer(db, dOff, NATIVE);
  }

  /** Per-thread row values, summed in double as the heap form sums them. */
  private static final ThreadLocal<float[]> VALUES = ThreadLocal.withInitial(() -> new float[FusedBernoulli.CHUNK]);

  /**
   * See {@link FusedBernoulli#forward}; x, l, d: rows x w with unit column stride; out: rows x 1.
   * Each row's values are summed per piece of at most {@link FusedBernoulli#CHUNK} columns with
   * the heap form's summation, so out is the same float too; the last columns of a row that do not
   * fill a vector go through the heap form's own arithmetic.
   */
  static void forward(INDArray x, INDArray l, INDArray out, INDArray d) {
    int rows = (int) l.rows();
    int w = (int) l.columns();
    ByteBuffer xb = Handles.bytes(x), lb = Handles.bytes(l), db = Handles.bytes(d), ob = Handles.bytes(out);
    long xo = x.offset(), xs = x.stride(0), lo = l.offset(), ls = l.stride(0), dOff = d.offset(), ds = d.stride(0);
    long oo = out.offset(), os = out.stride(0);
    int lanes = F.length();
    float[] v = VALUES.get();
    for (int r = 0; r < rows; r++) {
      int xr = (int) (4 * (xo + r * xs)), lr = (int) (4 * (lo + r * ls)), dr = (int) (4 * (dOff + r * ds));
      double sum = 0;
      for (int c0 = 0; c0 < w; c0 += FusedBernoulli.CHUNK) {
        int len = Math.min(FusedBernoulli.CHUNK, w - c0);
        int c = 0;
        for (; c <= len - lanes; c += lanes) {
          int at = 4 * (c0 + c);
          block(xb, xr + at, lb, lr + at, db, dr + at, v, c);
        }
        if (c < len) FusedBernoulli.tail(xb, xr + 4 * (c0 + c), lb, lr + 4 * (c0 + c), db, dr + 4 * (c0 + c), v, c, len - c);
        sum += FusedBernoulli.sum(v, 0, len);
      }
      ob.putFloat((int) (4 * (oo + r * os)), (float) sum);
    }
  }

  /** See {@link FusedBernoulli#scaleRows}: target = d g, rounded to a multiple of 2^-93 (flushing what lies below 5e-29). */
  static void scaleRows(INDArray d, INDArray g, INDArray target) {
    int rows = (int) d.rows();
    int w = (int) d.columns();
    ByteBuffer db = Handles.bytes(d), gb = Handles.bytes(g), tb = Handles.bytes(target);
    long dOff = d.offset(), ds = d.stride(0), go = g.offset(), gs = g.stride(0), to = target.offset(), ts = target.stride(0);
    float flush = FusedBernoulli.FLUSH;
    int lanes = F.length();
    for (int r = 0; r < rows; r++) {
      float gr = gb.getFloat((int) (4 * (go + r * gs)));
      int dr = (int) (4 * (dOff + r * ds)), tr = (int) (4 * (to + r * ts));
      int c = 0;
      for (; c <= w - lanes; c += lanes) {
        FloatVector.fromByteBuffer(F, db, dr + 4 * c, NATIVE).mul(gr).add(flush).sub(flush).intoByteBuffer(tb, tr + 4 * c, NATIVE);
      }
      for (; c < w; c++) tb.putFloat(tr + 4 * c, (db.getFloat(dr + 4 * c) * gr + flush) - flush);
    }
  }

  /**
   * Heap form, for tests: v and d for the first n elements (n a multiple of the lanes), through
   * {@link #block} on direct copies of x and l, as the training step runs it.
   */
  static void elementwise(float[] x, float[] l, float[] v, float[] d, int n) {
    ByteBuffer xb = ByteBuffer.allocateDirect(4 * n).order(NATIVE), lb = ByteBuffer.allocateDirect(4 * n).order(NATIVE);
    ByteBuffer db = ByteBuffer.allocateDirect(4 * n).order(NATIVE);
    xb.asFloatBuffer().put(x, 0, n);
    lb.asFloatBuffer().put(l, 0, n);
    for (int i = 0; i + F.length() <= n; i += F.length()) block(xb, 4 * i, lb, 4 * i, db, 4 * i, v, i);
    db.asFloatBuffer().get(d, 0, n);
  }

  static int lanes() { return F.length(); }
}
