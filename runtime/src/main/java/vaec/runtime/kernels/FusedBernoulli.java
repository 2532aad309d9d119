package vaec.runtime.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Bernoulli log-density on logits and its logit gradient in one pass over the logits:
 * {@code v = x l - softplus(l)}, summed per row, and {@code d = x - sigmoid(l)}, both from one
 * {@code e = exp(-|l|)}:
 * <pre>
 *   softplus(l) = max(l, 0) + log1p(e)        sigmoid(l) = 1 / (1 + e) for l &gt;= 0, e / (1 + e) below
 * </pre>
 * which neither overflows nor loses the small tail (ND4J's {@code log(1 + exp(l))} is infinite
 * above l = 88 in float32 and 0 below about -17).
 *
 * <p>The arithmetic is float32 polynomials over heap arrays, written so that HotSpot's C2
 * vectorizes every loop (JDK 17, no incubator module): {@code exp} by Cody-Waite reduction
 * {@code a = k ln2 + r} and a degree-6 polynomial on |r| &lt;= ln2/2; the factor {@code 2^-k} from
 * k's seven bits as products of exact powers of two, each bit found by rounding (C2 in JDK 17
 * vectorizes neither {@code Float.intBitsToFloat} nor a float-to-int cast, so the usual exponent
 * trick would run scalar, measured 10x slower; and scalar {@code Math.min}/{@code max} on floats
 * are branches, 5-10x slower than the rounding where a loop stays scalar); {@code log1p(e) =
 * 2 atanh(s)} with {@code s = e / (2 + e)} in [0, 1/3] and a degree-3 polynomial in s^2 (relative
 * error 1e-8 before rounding). Each loop is kept small, since C2 unrolls (and so vectorizes) only
 * loops of a limited size; every array in a loop is indexed alike (a loop mixing {@code a[i]} and
 * {@code b[off + i]} stays scalar); and no loop writes an array it reads. Measured accuracy against double-precision {@code Math} is pinned by
 * FusedBernoulliTest. Logits beyond |l| = 86 use e = exp(-86) (an absolute error below 5e-38),
 * which keeps every intermediate a normal float (a subnormal one takes a slow path on x86).
 *
 * <p>With the JDK's Vector API ({@link VectorApi}) both kernels run in place on the native
 * buffers instead, with the Vector API's exp and log1p (FusedBernoulliVector); what
 * follows is the form without it.
 *
 * <p>The work goes in chunks of whole rows (or pieces of a row wider than a chunk), copied from the
 * direct buffers into per-thread heap arrays with NIO bulk gets (memcpy) and back with bulk puts,
 * so that the working set stays in the core's cache. Only on ND4J's CPU backend, with the direct
 * kernels on ({@link KernelPath#direct()}), for float32 arrays with unit column stride; the op
 * keeps its ND4J path for every other case.
 */
public final class FusedBernoulli {
  private FusedBernoulli() {}

  /** Elements per chunk: eleven arrays of 16 KiB, inside a core's L2 cache. */
  static final int CHUNK = 4096;

  static final float A_MAX = 86f;                          // e >= 0.7 * 2^-124: e and e / 2 stay normal floats

  /** Whether the fused kernel can run on these arrays (see the class comment). */
  public static boolean applies(INDArray... arrays) {
    if (!KernelPath.direct()) return false;
    for (INDArray a : arrays) if (!fits(a)) return false;
    return true;
  }

  // Without a varargs array per call (the training step's calls).
  public static boolean applies(INDArray a, INDArray b) { return KernelPath.direct() && fits(a) && fits(b); }

  public static boolean applies(INDArray a, INDArray b, INDArray c, INDArray d) {
    return KernelPath.direct() && fits(a) && fits(b) && fits(c) && fits(d);
  }

  private static boolean fits(INDArray a) {
    return a.dataType() == DataType.FLOAT && a.rank() == 2 && a.ordering() == 'c' && (a.columns() <= 1 || a.stride(1) == 1);
  }

  /**
   * out (rows x 1) = per-row sums of x l - softplus(l); d (rows x w) = x - sigmoid(l), the
   * gradient of each row's sum with respect to l. x, l, d: rows x w; any row strides.
   */
  public static void forward(INDArray x, INDArray l, INDArray out, INDArray d) {
    if (VectorApi.ON) {
      VectorApi.KERNELS.bernoulliForward(x, l, out, d);
      return;
    }
    int rows = (int) l.rows();
    int w = (int) l.columns();
    Work t = WORK.get();
    Rows xr = t.r0.of(x), lr = t.r1.of(l), dr = t.r2.of(d);
    FloatBuffer ob = Handles.nio(out);
    long oOff = out.offset(), oStride = out.stride(0);
    if (w == 0) {
      for (int r = 0; r < rows; r++) ob.put((int) (oOff + r * oStride), 0f);
    } else if (w <= CHUNK) {
      int per = CHUNK / w;
      for (int r0 = 0; r0 < rows; r0 += per) {
        int nr = Math.min(per, rows - r0);
        for (int j = 0; j < nr; j++) {
          xr.get(r0 + j, 0, t.x, j * w, w);
          lr.get(r0 + j, 0, t.l, j * w, w);
        }
        compute(t, nr * w);
        for (int j = 0; j < nr; j++) {
          ob.put((int) (oOff + (r0 + j) * oStride), (float) sum(t.v, j * w, w));
          dr.put(r0 + j, 0, t.d, j * w, w);
        }
      }
    } else {
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int c0 = 0; c0 < w; c0 += CHUNK) {
          int len = Math.min(CHUNK, w - c0);
          xr.get(r, c0, t.x, 0, len);
          lr.get(r, c0, t.l, 0, len);
          compute(t, len);
          s += sum(t.v, 0, len);
          dr.put(r, c0, t.d, 0, len);
        }
        ob.put((int) (oOff + r * oStride), (float) s);
      }
    }
  }

  /**
   * target (rows x w) = d (rows x w) times g (rows x 1) broadcast over columns: the backward pass's
   * row-scaling of the stashed gradient, as bulk copies and one multiplication per element (ND4J's
   * broadcast multiplication took several times as long on 128 x 784, measured).
   */
  /**
   * Adding and subtracting 2^-70 rounds a float to a multiple of 2^-93 (about 1e-28): values of
   * magnitude below about 5e-29 become 0, larger ones change by at most 5e-29 (exactly nothing
   * above 2^-46). A logit gradient of 1e-35 (x = 0 at a logit of -80, scaled by 1/batch, or an
   * importance weight of 1e-30) would make the decoder's backward gemms multiply near-subnormal
   * numbers, which x86 does through a microcode assist: measured 5 to 17 times slower for a
   * 640x784x400 product with inputs of 1e-36, 170 times with inputs of 1e-39.
   */
  static final float FLUSH = 0x1p-70f;

  public static void scaleRows(INDArray d, INDArray g, INDArray target) {
    if (VectorApi.ON) {
      VectorApi.KERNELS.bernoulliScaleRows(d, g, target);
      return;
    }
    int rows = (int) d.rows();
    int w = (int) d.columns();
    Work t = WORK.get();
    Rows dr = t.r0.of(d), tr = t.r1.of(target);
    FloatBuffer gb = Handles.nio(g);
    long gOff = g.offset(), gStride = g.stride(0);
    float[] buf = t.x;
    for (int r = 0; r < rows; r++) {
      float gr = gb.get((int) (gOff + r * gStride));
      for (int c0 = 0; c0 < w; c0 += CHUNK) {
        int len = Math.min(CHUNK, w - c0);
        dr.get(r, c0, buf, 0, len);
        for (int i = 0; i < len; i++) buf[i] = (buf[i] * gr + FLUSH) - FLUSH;
        tr.put(r, c0, buf, 0, len);
      }
    }
  }

  /** Heap form, for tests: v[i] = x l - softplus(l) and d[i] = x - sigmoid(l) for i &lt; n. */
  static void elementwise(float[] x, float[] l, float[] v, float[] d, int n) {
    Work t = WORK.get();
    for (int off = 0; off < n; off += CHUNK) {
      int m = Math.min(CHUNK, n - off);
      System.arraycopy(x, off, t.x, 0, m);
      System.arraycopy(l, off, t.l, 0, m);
      compute(t, m);
      System.arraycopy(t.v, 0, v, off, m);
      System.arraycopy(t.d, 0, d, off, m);
    }
  }

  /** Per-thread chunk arrays (the op's two row halves run on two threads). */
  private static final class Work {
    // One array per intermediate: with arrays reused by later passes (or a pass updating two
    // arrays in place), C2 left some passes scalar, measured 3-10x slower.
    final float[] x = new float[CHUNK], l = new float[CHUNK], p = new float[CHUNK], k = new float[CHUNK];
    final float[] scale = new float[CHUNK], k1 = new float[CHUNK], scale2 = new float[CHUNK], k2 = new float[CHUNK];
    final float[] e = new float[CHUNK], v = new float[CHUNK], d = new float[CHUNK];
    final Rows r0 = new Rows(), r1 = new Rows(), r2 = new Rows();
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  /** t.v and t.d from t.x and t.l, for the first n elements. */
  private static void compute(Work t, int n) {
    expReduced(t.l, t.p, t.k, n);
    scaleHigh(t.k, t.scale, t.k1, n);
    scaleMiddle(t.k1, t.scale, t.scale2, t.k2, n);
    scaleLow(t.k2, t.scale2, t.p, t.e, n);
    values(t.x, t.l, t.e, t.v, n);
    gradient(t.x, t.l, t.e, t.d, n);
  }

  /**
   * k = round(a / ln2) and p = exp(-(a - k ln2)) for a = min(|l|, 86); p lies in [0.7, 1.42]. This
   * and the three scale passes below are e = exp(-min(|l|, 86)) in four vectorizable loops, shared
   * with RelaxationKernels.
   */
  static void expReduced(float[] l, float[] p, float[] kk, int n) {
    for (int i = 0; i < n; i++) {
      float a = Math.min(Math.abs(l[i]), A_MAX);
      float k = ExpReduction.k(a);
      p[i] = ExpReduction.expm1(ExpReduction.r(a, k)) + 1f;
      kk[i] = k;
    }
  }


  /** scale = 2^-(64 b6 + 32 b5 + 16 b4) from k's top bits (k in 0..124); rest = k's low four bits. */
  static void scaleHigh(float[] kk, float[] scale, float[] rest, int n) {
    for (int i = 0; i < n; i++) {
      float k = kk[i];
      float b6 = ExpReduction.bit(k, 1f / 128);
      k -= 64f * b6;
      float b5 = ExpReduction.bit(k, 1f / 64);
      k -= 32f * b5;
      float b4 = ExpReduction.bit(k, 1f / 32);
      // b * 2^-n + (1 - b) is exactly 1 or 2^-n (1 - 2^-32 and 1 - 2^-64 are not floats; 1 - 2^-16 is)
      scale[i] = (b6 * 5.421010862427522E-20f + (1f - b6)) * (b5 * 2.3283064365386963E-10f + (1f - b5))
          * (1f - b4 * 0.9999847412109375f);
      rest[i] = k - 16f * b4;
    }
  }

  /** The next two bits (k in 0..15): scale2 = scale 2^-(8 b3 + 4 b2), rest = k's low two bits. */
  static void scaleMiddle(float[] kk, float[] scale, float[] scale2, float[] rest, int n) {
    for (int i = 0; i < n; i++) {
      float k = kk[i];
      float b3 = ExpReduction.bit(k, 1f / 16);
      k -= 8f * b3;
      float b2 = ExpReduction.bit(k, 1f / 8);
      scale2[i] = scale[i] * ((1f - b3 * 0.99609375f) * (1f - b2 * 0.9375f));
      rest[i] = k - 4f * b2;
    }
  }

  /** e = p scale 2^-k for the last two bits (k in 0..3). */
  static void scaleLow(float[] kk, float[] scale, float[] p, float[] e, int n) {
    for (int i = 0; i < n; i++) {
      float k = kk[i];
      float b1 = ExpReduction.bit(k, 1f / 4);
      k -= 2f * b1;
      e[i] = p[i] * scale[i] * ((1f - b1 * 0.75f) * (1f - k * 0.5f));
    }
  }

  // atanh(s) = s + s^3 (Q0 + Q1 s^2 + Q2 s^4 + Q3 s^6) on s^2 in [0, 1/9] (least squares, relative error 1e-8)
  private static final float Q0 = 0.3333320915699005f, Q1 = 0.20010429620742798f, Q2 = 0.14010341465473175f,
      Q3 = 0.1394471973180771f;

  /** v = x l - (max(l, 0) + log1p(e)), log1p(e) = 2 atanh(e / (2 + e)). */
  private static void values(float[] x, float[] l, float[] e, float[] v, int n) {
    for (int i = 0; i < n; i++) {
      float li = l[i];
      float ei = e[i];
      float s = ei / (2f + ei);
      // s^2 only corrects 2s by a relative s^2 / 3: from s + 2^-40 it is as good and never
      // subnormal (x86 takes a slow microcode path for subnormal operands and results)
      float sc = s + 0x1p-40f;
      float s2 = sc * sc;
      float q = ((Q3 * s2 + Q2) * s2 + Q1) * s2 + Q0;
      // Math.max, not (l + |l|) / 2: with the latter C2 left this loop scalar (measured)
      v[i] = x[i] * li - (Math.max(li, 0f) + 2f * s * (1f + s2 * q));
    }
  }

  /**
   * d = x - sigmoid(l) = x - (e + u (1 - e)) / (1 + e) with u = 1 for l &gt; 0 and 0 for l &lt; 0
   * (clamped from l * 1e30: for |l| &lt; 1e-30, where u may lie between, e is 1 - |l| and any u gives
   * 1/2 to within |l|).
   */
  private static void gradient(float[] x, float[] l, float[] e, float[] d, int n) {
    for (int i = 0; i < n; i++) {
      float ei = e[i];
      float u = Math.min(Math.max(l[i] * 1e30f, 0f), 1f);
      d[i] = x[i] - (ei + u * (1f - ei)) / (1f + ei);
    }
  }

  /**
   * The arithmetic above on n elements read from direct buffers at byte offsets xo and lo, writing
   * d at byte offset dOff and the values to v from {@code at}: the ends of rows that do not fill a
   * vector in FusedBernoulliVector.
   */
  static void tail(java.nio.ByteBuffer xb, int xo, java.nio.ByteBuffer lb, int lo, java.nio.ByteBuffer db, int dOff, float[] v, int at, int n) {
    Work t = WORK.get();
    for (int i = 0; i < n; i++) {
      t.x[i] = xb.getFloat(xo + 4 * i);
      t.l[i] = lb.getFloat(lo + 4 * i);
    }
    compute(t, n);
    System.arraycopy(t.v, 0, v, at, n);
    for (int i = 0; i < n; i++) db.putFloat(dOff + 4 * i, t.d[i]);
  }

  /** The sum of v[from, from + n) in double, four partial sums. */
  static double sum(float[] v, int from, int n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = from, end = from + n;
    for (; i + 3 < end; i += 4) {
      s0 += v[i];
      s1 += v[i + 1];
      s2 += v[i + 2];
      s3 += v[i + 3];
    }
    for (; i < end; i++) s0 += v[i];
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Row pieces of a float32 matrix with unit column stride, through its NIO view (bulk copies).
   * Each thread reuses three of these (in its Work), set to an array per call; the NIO view is
   * made once per array (Handles), since {@code asNioFloat()} makes new buffer objects each time.
   */
  private static final class Rows {
    FloatBuffer b;
    long offset, stride;

    Rows of(INDArray a) {
      b = Handles.nio(a);
      offset = a.offset();
      stride = a.stride(0);
      return this;
    }

    void get(int r, int c, float[] dst, int at, int n) { b.get((int) (offset + r * stride + c), dst, at, n); }

    void put(int r, int c, float[] src, int at, int n) { b.put((int) (offset + r * stride + c), src, at, n); }
  }
}
