package vaec.runtime.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise chains of REBAR's and RELAX's relaxation (the logistic draws, the conditional
 * draw given the sign, the tempered sigmoid) with their arithmetic done in host loops and only the
 * transcendental functions (ND4J's {@code softplus}, {@code log}, {@code sigmoid}) left to ND4J's
 * vectorized kernels. Each ND4J op is a pass over memory of its own (about 2 ns an element on the
 * development machine, whatever it computes), and the ops' ND4J forms took 6 (logistic draw), 21
 * (conditional draw) and 6 (the tempered sigmoid's backward) passes; here they take 3, 6 and 1.
 *
 * <p>The host loops do, in float32 and in the same order, the additions, products, clamps and
 * divisions the ND4J forms do, so the results are the same floats wherever ND4J's float ops round
 * as IEEE does (RelaxationKernelsTest compares the two paths). Only on the direct kernels
 * ({@link KernelPath#direct()}) with float32 arrays of unit column stride ({@link #applies}); the
 * ops keep their ND4J forms for every other case (a GPU, float64 tests).
 *
 * <p>Loops go a row at a time (or a chunk at a time where every array is one contiguous block),
 * copied from the direct buffers into per-thread heap arrays with NIO bulk gets and back with bulk
 * puts, each loop reading and writing distinct arrays so that C2 vectorizes it.
 */
public final class RelaxationKernels {
  private RelaxationKernels() {}

  /** Elements per chunk of a contiguous block. */
  static final int CHUNK = 4096;

  private static final float EPS = (float) UniformNoise.EPS;
  private static final float ONE_LESS_EPS = (float) (1 - UniformNoise.EPS);

  /** Whether the host loops can run on these arrays (nulls skipped): direct kernels, one shape, float32, rank 2, c order (any, for one row), unit column stride. */
  public static boolean applies(INDArray... arrays) {
    if (!KernelPath.direct()) return false;
    INDArray first = null;
    for (INDArray a : arrays) {
      if (a == null) continue;
      if (a.dataType() != DataType.FLOAT || a.rank() != 2 || (a.ordering() != 'c' && a.rows() > 1) || (a.columns() > 1 && a.stride(1) != 1)) {
        return false;
      }
      if (first == null) first = a;
      // the loops take arrays of one shape; anything ND4J would broadcast keeps the ND4J form
      if (a.rows() != first.rows() || a.columns() != first.columns()) return false;
    }
    return true;
  }

  // The ops' calls, without the varargs array that each call of the form above makes (those were
  // most of the few hundred bytes of heap a REBAR step made).
  public static boolean applies(INDArray a, INDArray b) {
    return a != null && KernelPath.direct() && fits(a, a) && fits(b, a);
  }

  public static boolean applies(INDArray a, INDArray b, INDArray c, INDArray d) {
    return applies(a, b) && fits(c, a) && fits(d, a);
  }

  public static boolean applies(INDArray a, INDArray b, INDArray c, INDArray d, INDArray e, INDArray f, INDArray g) {
    return applies(a, b, c, d) && fits(e, a) && fits(f, a) && fits(g, a);
  }

  public static boolean applies(INDArray a, INDArray b, INDArray c, INDArray d, INDArray e, INDArray f, INDArray g, INDArray h) {
    return applies(a, b, c, d, e, f, g) && fits(h, a);
  }

  /** Whether {@code x} (null: yes) is a float32 rank-2 array of {@code first}'s shape that the loops can read (see {@link #applies}). */
  private static boolean fits(INDArray x, INDArray first) {
    if (x == null) return true;
    if (x.dataType() != DataType.FLOAT || x.rank() != 2 || (x.ordering() != 'c' && x.rows() > 1) || (x.columns() > 1 && x.stride(1) != 1)) {
      return false;
    }
    return x.rows() == first.rows() && x.columns() == first.columns();
  }

  // ------------------------------------------------------------------ the logistic draw

  /**
   * out = logits + log(uc / (1 - uc)) with uc = u clamped into [EPS, 1 - EPS]: the standard
   * logistic draw shifted by the logits ({@link UniformNoise#logistic}). {@code q} is a work
   * buffer of the same shape.
   */
  public static void logisticDraw(INDArray logits, INDArray u, INDArray out, INDArray q) {
    logisticNoise(u, q);
    Loop l = loop(q, logits, out, null, null, null, null, null);
    for (int c = 0; c < l.count; c++) {
      Work t = l.get(c, 0, 1, -1);
      addLoop(t.a, t.b, t.out, t.n);
      l.put(c, 2, t, t.out);
    }
  }

  /**
   * out = log(uc / (1 - uc)) with uc = u clamped into [EPS, 1 - EPS]: standard logistic noise, the
   * same floats as {@link #logisticDraw} adds to the logits (and as {@link #conditionalDraw} takes
   * the logit of v), so that a draw from this noise ({@link #conditionalDrawFromNoise}, or an
   * addition to the logits) is the draw from u.
   */
  public static void logisticNoise(INDArray u, INDArray out) {
    Loop l = loop(u, out, null, null, null, null, null, null);
    for (int c = 0; c < l.count; c++) {
      Work t = l.get(c, 0, -1, -1);
      oddsLoop(t.a, t.out, t.n);
      l.put(c, 1, t, t.out);
    }
    Kernels.log(out, out);
  }

  /** out = uc / (1 - uc), uc = min(max(u, EPS), 1 - EPS), as ND4J's ScalarMax, ScalarMin, rsub and div do it in float32. */
  private static void oddsLoop(float[] u, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      float uc = Math.min(Math.max(u[i], EPS), ONE_LESS_EPS);
      out[i] = uc / (1f - uc);
    }
  }

  private static void addLoop(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
  }

  // ------------------------------------------------------------------ the conditional draw

  /**
   * The conditional logistic draw z~ = s softplus(logit(uc) + softplus(s logits)), s = 2b - 1
   * ({@code vaec.runtime.ops.ConditionalLogistic}), with softplus(x) = max(x, 0) + softplus(-|x|).
   * Leaves s in {@code sign} and a = logit(uc) + softplus(s logits) in {@code a} for the backward
   * pass; {@code t} and {@code w} are work buffers. All rows x width.
   */
  public static void conditionalDraw(INDArray logits, INDArray b, INDArray v, INDArray out, INDArray sign, INDArray a,
      INDArray t, INDArray w) {
    final int lo = 0, bb = 1, vv = 2, o = 3, s = 4, aa = 5, tt = 6, ww = 7;
    Loop l = loop(logits, b, v, out, sign, a, t, w);
    // pass 1: s; softplus(s l) = max(s l, 0) + log1p(exp(-|s l|)) (to t); the odds of the clamped v (to w)
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, lo, bb, vv);
      signedLoop(k.a, k.b, k.s, k.m, k.r, k.n);
      log1pExp(k, k.m, k.n);
      addLoop(k.r, k.e, k.out, k.n);
      l.put(c, s, k, k.s);
      l.put(c, tt, k, k.out);
      oddsLoop(k.c, k.out, k.n);
      l.put(c, ww, k, k.out);
    }
    Kernels.log(w, w);          // logit(uc)
    secondPass(l, ww, tt, s, aa, o);
  }

  /**
   * The conditional draw of {@link #conditionalDraw} from the logistic noise {@code noise} =
   * logit(uc) that {@link #logisticNoise} made of v: the same floats, without the odds and the
   * logarithm (made once per step for every draw on v). Leaves s in {@code sign} and a in {@code a}.
   */
  public static void conditionalDrawFromNoise(INDArray logits, INDArray b, INDArray noise, INDArray out, INDArray sign, INDArray a) {
    final int lo = 0, bb = 1, nn = 2, o = 3, s = 4, aa = 5;
    // With no ND4J call between them, both passes of conditionalDraw run in one
    // loop over the chunks, each value read once and written once (the same loops, in the same order)
    Loop l = loop(logits, b, noise, out, sign, a, null, null);
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, lo, bb, nn);
      signedLoop(k.a, k.b, k.s, k.m, k.r, k.n);     // s; m = -|s l|; r = max(s l, 0)
      log1pExp(k, k.m, k.n);
      addLoop(k.r, k.e, k.out, k.n);                // softplus(s l)
      addLoop(k.c, k.out, k.b, k.n);                // a = logit(uc) + softplus(s l) (b's bits are no longer needed)
      absLoop(k.b, k.m, k.r, k.n);
      log1pExp(k, k.m, k.n);
      signedSumLoop(k.r, k.e, k.s, k.out, k.n);     // (max(a, 0) + log1p(exp(-|a|))) s
      l.put(c, s, k, k.s);
      l.put(c, aa, k, k.b);
      l.put(c, o, k, k.out);
    }
  }

  /** Pass 2 of the conditional draw: a = logit(uc) + softplus(s l); out = (max(a, 0) + log1p(exp(-|a|))) s. */
  private static void secondPass(Loop l, int logit, int softplus, int sign, int aOut, int out) {
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, logit, softplus, sign);
      addLoop(k.a, k.b, k.out, k.n);
      l.put(c, aOut, k, k.out);
      absLoop(k.out, k.m, k.r, k.n);
      log1pExp(k, k.m, k.n);
      signedSumLoop(k.r, k.e, k.c, k.out, k.n);
      l.put(c, out, k, k.out);
    }
  }

  /** s = 2b - 1; m = -|s l|; r = max(s l, 0). */
  private static void signedLoop(float[] l, float[] b, float[] s, float[] m, float[] r, int n) {
    for (int i = 0; i < n; i++) {
      float si = b[i] * 2f - 1f;
      float x = si * l[i];
      s[i] = si;
      m[i] = -Math.abs(x);
      r[i] = Math.max(x, 0f);
    }
  }

  /** m = -|x|; r = max(x, 0). */
  private static void absLoop(float[] x, float[] m, float[] r, int n) {
    for (int i = 0; i < n; i++) {
      m[i] = -Math.abs(x[i]);
      r[i] = Math.max(x[i], 0f);
    }
  }

  /** out = (a + b) s. */
  private static void signedSumLoop(float[] a, float[] b, float[] s, float[] out, int n) {
    for (int i = 0; i < n; i++) out[i] = (a[i] + b[i]) * s[i];
  }

  /**
   * The conditional draw's logit gradient gIn = sigmoid(a) sigmoid(s logits) g, from the sign and a
   * its forward pass left; {@code t} and {@code d} are work buffers.
   */
  public static void conditionalDrawBackward(INDArray logits, INDArray sign, INDArray a, INDArray g, INDArray gIn, INDArray t,
      INDArray d) {
    Loop l = loop(sign, logits, t, d, g, gIn, null, null);
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, 0, 1, -1);
      productLoop(k.a, k.b, k.out, k.n);
      l.put(c, 2, k, k.out);
    }
    Kernels.sigmoid(t, t);
    Kernels.sigmoid(a, d);
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, 3, 2, 4);
      tripleProductLoop(k.a, k.b, k.c, k.out, k.n);
      l.put(c, 5, k, k.out);
    }
  }

  private static void productLoop(float[] a, float[] b, float[] out, int n) {
    for (int i = 0; i < n; i++) out[i] = a[i] * b[i];
  }

  /** out = (a b) c. */
  private static void tripleProductLoop(float[] a, float[] b, float[] c, float[] out, int n) {
    for (int i = 0; i < n; i++) out[i] = (a[i] * b[i]) * c[i];
  }

  // ------------------------------------------------------------------ the tempered sigmoid

  /**
   * The tempered sigmoid's backward pass from its output y = sigmoid(z inv): with d = g y (1 - y),
   * writes gIn = d inv when {@code gIn} is not null and, with {@code wantSum}, returns the sum of
   * d z (in double), from which the temperature's gradient follows (else 0).
   */
  public static double temperedSigmoidBackward(INDArray z, INDArray y, INDArray g, INDArray gIn, double inv, boolean wantSum) {
    float fInv = (float) inv;
    Loop l = loop(y, g, z, gIn, null, null, null, null);
    double sum = 0;
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, 0, 1, 2);
      sigmoidGradientLoop(k.a, k.b, k.out, k.n);
      if (wantSum) sum += dot(k.out, k.c, k.n);
      if (gIn != null) {
        scaleLoop(k.out, fInv, k.m, k.n);
        l.put(c, 3, k, k.m);
      }
    }
    return sum;
  }

  /** d = ((1 - y) y) g, as ND4J's rsub, muli and muli do it. */
  private static void sigmoidGradientLoop(float[] y, float[] g, float[] d, int n) {
    for (int i = 0; i < n; i++) d[i] = ((1f - y[i]) * y[i]) * g[i];
  }

  private static void scaleLoop(float[] a, float s, float[] out, int n) {
    for (int i = 0; i < n; i++) out[i] = a[i] * s;
  }

  private static double dot(float[] a, float[] b, int n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
  }

  // ------------------------------------------------------------------ the variance objective's small ops

  /**
   * r (rows x 1) = sqrt(mean over columns of v^2) + {@link Kernels#TINY_RMS}, {@code work} a rows x
   * width buffer: the operations of {@link Kernels#rowRms} in the same order, through Kernels'
   * reused scalar ops, so that no ND4J buffer is made per call (INDArray's muli and addi with a
   * number make one each).
   */
  public static void rowRms(INDArray v, INDArray r, INDArray work) {
    Kernels.mul(v, v, work);
    Kernels.rowSum(work, r);
    Kernels.scale(r, 1.0 / v.columns(), r);
    Kernels.sqrt(r, r);
    Kernels.addScalar(r, Kernels.TINY_RMS, r);
  }

  /**
   * The sum of a * b over all elements, in double: a host loop where {@link #applies}, else
   * ND4J's reduction (which makes a buffer for its result).
   */
  public static double dot(INDArray a, INDArray b) {
    if (!applies(a, b)) return Kernels.dot(a, b);
    Loop l = loop(a, b, null, null, null, null, null, null);
    double sum = 0;
    for (int c = 0; c < l.count; c++) {
      Work k = l.get(c, 0, 1, -1);
      sum += dot(k.a, k.b, k.n);
    }
    return sum;
  }

  // ------------------------------------------------------------------ log1p(exp(-|x|)) in float32

  private static final float Q0 = 0.3333320915699005f, Q1 = 0.20010429620742798f, Q2 = 0.14010341465473175f,
      Q3 = 0.1394471973180771f;

  /**
   * w.e[i] = log1p(exp(-|x[i]|)) for i &lt; n: the softplus of -|x|, whose sum with max(x, 0) is
   * softplus(x) without overflow. The arithmetic of {@link FusedBernoulli}'s softplus (its class
   * comment gives the derivation): exp(-a), a = min(|x|, 86), by Cody-Waite reduction a = k ln2 + r,
   * a degree-6 polynomial in r and 2^-k from k's seven bits found by rounding; then log1p(e) = 2
   * atanh(e / (2 + e)) by a degree-3 polynomial in s^2. Only adds, multiplications, min and max,
   * which C2 vectorizes (ND4J's softplus costs an exp and a log from its scalar math library). For
   * |x| &gt; 86 the result is exp(-86), within 5e-38 of the true value. Accuracy:
   * RelaxationKernelsTest.log1pExpIsAccurate.
   */
  static void log1pExp(Work w, float[] x, int n) {
    // e = exp(-min(|x|, 86)) by FusedBernoulli's four passes (the same arithmetic)
    FusedBernoulli.expReduced(x, w.p, w.kk, n);
    FusedBernoulli.scaleHigh(w.kk, w.scale, w.k1, n);
    FusedBernoulli.scaleMiddle(w.k1, w.scale, w.scale2, w.k2, n);
    FusedBernoulli.scaleLow(w.k2, w.scale2, w.p, w.ee, n);
    log1pSmall(w.ee, w.e, n);
  }

  /** out = log1p(e) = 2 atanh(s), s = e / (2 + e), for e in [0, 1]. */
  private static void log1pSmall(float[] e, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      float ei = e[i];
      float s = ei / (2f + ei);
      float sc = s + 0x1p-40f;     // never subnormal (x86 takes a slow path for subnormal operands)
      float s2 = sc * sc;
      float q = ((Q3 * s2 + Q2) * s2 + Q1) * s2 + Q0;
      out[i] = 2f * s * (1f + s2 * q);
    }
  }

  /** Heap form, for tests: out[i] = log1p(exp(-|x[i]|)) for i &lt; x.length (at most CHUNK). */
  static float[] log1pExp(float[] x) {
    Work w = WORK.get();
    log1pExp(w, x, x.length);
    return java.util.Arrays.copyOf(w.e, x.length);
  }

  // ------------------------------------------------------------------ the loops' pieces

  /** Per-thread heap arrays: three inputs, up to four outputs. */
  private static final class Work {
    final float[] a = new float[CHUNK], b = new float[CHUNK], c = new float[CHUNK];
    final float[] out = new float[CHUNK], s = new float[CHUNK], m = new float[CHUNK], r = new float[CHUNK];
    // log1pExp's intermediates, one array each (C2 vectorizes a loop only if it writes no array it reads)
    final float[] p = new float[CHUNK], kk = new float[CHUNK], scale = new float[CHUNK], k1 = new float[CHUNK];
    final float[] scale2 = new float[CHUNK], k2 = new float[CHUNK], ee = new float[CHUNK], e = new float[CHUNK];
    int n;
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  private static final ThreadLocal<Loop> LOOPS = ThreadLocal.withInitial(Loop::new);

  /** This thread's loop over the given arrays (up to eight; nulls are skipped, the first is not null). */
  private static Loop loop(INDArray a0, INDArray a1, INDArray a2, INDArray a3, INDArray a4, INDArray a5, INDArray a6, INDArray a7) {
    return LOOPS.get().set(a0, a1, a2, a3, a4, a5, a6, a7);
  }

  /**
   * The pieces of same-shaped rows x width arrays that one loop goes through: chunks of a
   * contiguous block where every array is one (row stride equal to the width), else rows, each in
   * chunks if wider than {@link #CHUNK}. Arrays are named by their index in the list given to
   * {@link #loop} (nulls skipped). One per thread, reused by every call ({@link #loop}), with each
   * array's NIO view from {@link Handles#nio}: a call makes no object (a new Loop and NIO views per
   * call were about 10 KB of heap a REBAR step).
   */
  private static final class Loop {
    int rows, width, count, perRow;
    boolean flat;
    final FloatBuffer[] buf = new FloatBuffer[8];
    final long[] offset = new long[8], stride = new long[8];

    Loop set(INDArray a0, INDArray a1, INDArray a2, INDArray a3, INDArray a4, INDArray a5, INDArray a6, INDArray a7) {
      rows = (int) a0.rows();
      width = (int) a0.columns();
      boolean f = add(0, a0, true);
      f = add(1, a1, f);
      f = add(2, a2, f);
      f = add(3, a3, f);
      f = add(4, a4, f);
      f = add(5, a5, f);
      f = add(6, a6, f);
      f = add(7, a7, f);
      flat = f;
      long total = (long) rows * width;
      if (flat) {
        perRow = 0;
        count = (int) ((total + CHUNK - 1) / CHUNK);
      } else {
        perRow = Math.max(1, (width + CHUNK - 1) / CHUNK);
        count = rows * perRow;
      }
      return this;
    }

    /** Array i of the loop; returns whether the arrays so far are each one contiguous block ({@code flat} before it). */
    private boolean add(int i, INDArray x, boolean flat) {
      buf[i] = null;
      if (x == null) return flat;
      if (x.rows() != rows || x.columns() != width) throw new IllegalArgumentException("shapes differ");
      buf[i] = Handles.nio(x);
      offset[i] = x.offset();
      stride[i] = rows > 1 ? x.stride(0) : width;
      return flat && (rows <= 1 || x.stride(0) == width);
    }

    private int at(int i, int c) {
      if (flat) return (int) (offset[i] + (long) c * CHUNK);
      return (int) (offset[i] + (long) (c / perRow) * stride[i] + (long) (c % perRow) * CHUNK);
    }

    private int length(int c) {
      if (flat) return (int) Math.min(CHUNK, (long) rows * width - (long) c * CHUNK);
      return Math.min(CHUNK, width - (c % perRow) * CHUNK);
    }

    /** Piece c of arrays x, y, z (indices; y and z may be -1) into the work arrays a, b, c; sets n. */
    Work get(int c, int x, int y, int z) {
      Work w = WORK.get();
      int n = length(c);
      w.n = n;
      buf[x].get(at(x, c), w.a, 0, n);
      if (y >= 0) buf[y].get(at(y, c), w.b, 0, n);
      if (z >= 0) buf[z].get(at(z, c), w.c, 0, n);
      return w;
    }

    /** The first w.n floats of src into piece c of array x. */
    void put(int c, int x, Work w, float[] src) { buf[x].put(at(x, c), src, 0, w.n); }
  }
}
