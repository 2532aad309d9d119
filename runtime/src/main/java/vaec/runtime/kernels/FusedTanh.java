package vaec.runtime.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tanh layer's element-wise work as one pass each way, on the direct buffers: forward
 * {@code z = tanh(x + b)} (the bias row added and the activation applied, where ND4J took a
 * broadcast addition and a tanh), backward {@code d = (1 - y^2) g} (where ND4J took a
 * multiplication, a subtraction and a multiplication, each a pass over memory and a native call).
 *
 * <p>tanh(p) = sign(p) (1 - e) / (1 + e) with e = exp(-a), a = min(2|p|, 18) (tanh(9) is 1 - 3e-8,
 * within half a float step of 1). With {@code a = k ln2 - r}, |r| &lt;= ln2/2, and
 * {@code exp(-r) - 1} as a polynomial (the Cody-Waite reduction and degree-6 polynomial of {@link
 * FusedBernoulli}), {@code e - 1 = (exp(-r) - 1) 2^-k + (2^-k - 1)} has no cancellation for small
 * p (where k = 0), so that tanh keeps its relative accuracy there: {@code tanh = -(e - 1) / (2 + (e - 1))}.
 * The factor 2^-k (k in 0..26) is made from k's five bits, each found by rounding, as products of
 * exact powers of two (C2 in JDK 17 vectorizes neither {@code Float.intBitsToFloat} nor a
 * float-to-int cast). The sign comes from p 10^30 clamped to [-1, 1] (only |p| &lt; 1e-30 gets a
 * fraction, with an error below 1e-30). NaN stays NaN. Accuracy against double-precision
 * {@code Math.tanh} and ND4J's tanh is pinned by FusedTanhTest.
 *
 * <p>Written as {@link FusedBernoulli} is, so that HotSpot's C2 vectorizes every loop (JDK 17, no
 * incubator module): chunks of whole rows copied into per-thread heap arrays with NIO bulk gets and
 * back with bulk puts, small loops, every array in a loop indexed alike, no loop writing an array it
 * reads (measured: one loop doing the last three steps ran scalar, 10-25x slower). The backward pass computes {@code (1 - y y) g} in float in the order ND4J did, so its
 * result is the same to the bit. Only on ND4J's CPU backend with the direct kernels on, for float32
 * matrices with unit column stride ({@link #applies}); the layer keeps its ND4J path otherwise.
 */
public final class FusedTanh {
  private FusedTanh() {}

  /** Elements per chunk: ten arrays of 16 KiB. */
  static final int CHUNK = 4096;

  static final float A_MAX = 18f;                          // a = 2|p| clamped: k = round(a / ln2) <= 26

  /** Whether the fused kernel can run on these matrices and this bias (float32, unit column and bias strides). */
  public static boolean applies(INDArray bias, INDArray... matrices) {
    return FusedBernoulli.applies(matrices) && biasFits(bias, matrices[0]);
  }

  // Dense's two calls without the varargs array each call of the form above makes (RELAX's step
  // made 112 bytes of heap through them, its only allocation)
  public static boolean applies(INDArray bias, INDArray m) { return FusedBernoulli.applies(m, m) && biasFits(bias, m); }

  public static boolean applies(INDArray bias, INDArray a, INDArray b, INDArray c) {
    return FusedBernoulli.applies(a, b, c, c) && biasFits(bias, a);
  }

  private static boolean biasFits(INDArray bias, INDArray m) {
    if (bias == null) return true;
    return bias.dataType() == DataType.FLOAT && bias.length() == m.columns()
        && (bias.length() <= 1 || bias.rank() == 1 && bias.stride(0) == 1 || bias.rank() == 2 && bias.rows() == 1 && bias.stride(1) == 1);
  }

  /** z = tanh(x + b), b added to every row; x and z: rows x w (may be the same array), b: length w. */
  public static void biasTanh(INDArray x, INDArray b, INDArray z) {
    int rows = (int) x.rows();
    int w = (int) x.columns();
    if (w == 0 || rows == 0) return;
    Work t = WORK.get();
    FloatBuffer xb = Handles.nio(x), zb = Handles.nio(z), bb = Handles.nio(b);
    long xo = x.offset(), xs = x.stride(0), zo = z.offset(), zs = z.stride(0);
    int bOff = (int) b.offset();
    if (w <= CHUNK) {
      int per = CHUNK / w;
      int tiled = Math.min(per, rows);
      for (int j = 0; j < tiled; j++) bb.get(bOff, t.b, j * w, w);
      for (int r0 = 0; r0 < rows; r0 += per) {
        int nr = Math.min(per, rows - r0);
        for (int j = 0; j < nr; j++) get(xb, xo, xs, r0 + j, 0, t.x, j * w, w);
        tanhBiased(t, nr * w);
        for (int j = 0; j < nr; j++) put(zb, zo, zs, r0 + j, 0, t.z, j * w, w);
      }
    } else {
      for (int r = 0; r < rows; r++) {
        for (int c0 = 0; c0 < w; c0 += CHUNK) {
          int len = Math.min(CHUNK, w - c0);
          get(xb, xo, xs, r, c0, t.x, 0, len);
          bb.get(bOff + c0, t.b, 0, len);
          tanhBiased(t, len);
          put(zb, zo, zs, r, c0, t.z, 0, len);
        }
      }
    }
  }

  /** d = (1 - y^2) g, element-wise; y, g, d: rows x w (d may be g, not y). */
  public static void gradient(INDArray y, INDArray g, INDArray d) {
    int rows = (int) y.rows();
    int w = (int) y.columns();
    if (w == 0 || rows == 0) return;
    Work t = WORK.get();
    FloatBuffer yb = Handles.nio(y), gb = Handles.nio(g), db = Handles.nio(d);
    long yo = y.offset(), ys = y.stride(0), go = g.offset(), gs = g.stride(0), dof = d.offset(), ds = d.stride(0);
    int per = Math.max(1, CHUNK / w);
    for (int r0 = 0; r0 < rows; r0 += per) {
      int nr = Math.min(per, rows - r0);
      for (int c0 = 0; c0 < w; c0 += CHUNK) {
        int len = Math.min(CHUNK, w - c0);
        for (int j = 0; j < nr; j++) {
          get(yb, yo, ys, r0 + j, c0, t.x, j * len, len);
          get(gb, go, gs, r0 + j, c0, t.b, j * len, len);
        }
        derivative(t.x, t.b, t.z, nr * len);
        for (int j = 0; j < nr; j++) put(db, dof, ds, r0 + j, c0, t.z, j * len, len);
      }
    }
  }

  /** Heap form, for tests: z[i] = tanh(x[i] + b[i]) for i &lt; n. */
  static void tanh(float[] x, float[] b, float[] z, int n) {
    Work t = WORK.get();
    for (int off = 0; off < n; off += CHUNK) {
      int m = Math.min(CHUNK, n - off);
      System.arraycopy(x, off, t.x, 0, m);
      System.arraycopy(b, off, t.b, 0, m);
      tanhBiased(t, m);
      System.arraycopy(t.z, 0, z, off, m);
    }
  }

  /** Per-thread chunk arrays (the two halves of a step run on two threads); one per intermediate, as C2 wants. */
  private static final class Work {
    final float[] x = new float[CHUNK], b = new float[CHUNK], p = new float[CHUNK], k = new float[CHUNK];
    final float[] em = new float[CHUNK], scale = new float[CHUNK], rest = new float[CHUNK], s2 = new float[CHUNK];
    final float[] t = new float[CHUNK], z = new float[CHUNK];
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  /** t.z = tanh(t.x + t.b) for the first n elements. */
  private static void tanhBiased(Work t, int n) {
    add(t.x, t.b, t.p, n);
    expm1Reduced(t.p, t.em, t.k, n);
    scaleHigh(t.k, t.scale, t.rest, n);
    scaleLow(t.rest, t.scale, t.s2, n);
    ratio(t.em, t.s2, t.t, n);
    sign(t.p, t.t, t.z, n);
  }

  private static void add(float[] x, float[] b, float[] p, int n) {
    for (int i = 0; i < n; i++) p[i] = x[i] + b[i];
  }

  /** k = round(a / ln2) and em = exp(-(a - k ln2)) - 1 for a = min(2|p|, 18). */
  private static void expm1Reduced(float[] pre, float[] em, float[] kk, int n) {
    for (int i = 0; i < n; i++) {
      float a = Math.min(2f * Math.abs(pre[i]), A_MAX);
      float k = ExpReduction.k(a);
      em[i] = ExpReduction.expm1(ExpReduction.r(a, k));
      kk[i] = k;
    }
  }


  /** scale = 2^-(16 b4 + 8 b3 + 4 b2) from k's top three bits (k in 0..31); rest = k's low two bits. */
  private static void scaleHigh(float[] kk, float[] scale, float[] rest, int n) {
    for (int i = 0; i < n; i++) {
      float k = kk[i];
      float b4 = ExpReduction.bit(k, 1f / 32);
      k -= 16f * b4;
      float b3 = ExpReduction.bit(k, 1f / 16);
      k -= 8f * b3;
      float b2 = ExpReduction.bit(k, 1f / 8);
      // 1 - b (1 - 2^-m) is exactly 1 or 2^-m (1 - 2^-16 is a float)
      scale[i] = (1f - b4 * 0.9999847412109375f) * (1f - b3 * 0.99609375f) * (1f - b2 * 0.9375f);
      rest[i] = k - 4f * b2;
    }
  }

  /** s2 = scale 2^-(2 b1 + b0) from k's low two bits: 2^-k, exactly. */
  private static void scaleLow(float[] rest, float[] scale, float[] s2, int n) {
    for (int i = 0; i < n; i++) {
      float k = rest[i];
      float b1 = ExpReduction.bit(k, 1f / 4);
      k -= 2f * b1;
      s2[i] = scale[i] * ((1f - b1 * 0.75f) * (1f - k * 0.5f));
    }
  }

  /** t = -tanh(|p|) = e1 / (2 + e1), with e1 = exp(-a) - 1 = em 2^-k + (2^-k - 1), in (-1, 0]. */
  private static void ratio(float[] em, float[] s2, float[] t, int n) {
    for (int i = 0; i < n; i++) {
      float s = s2[i];
      float e1 = em[i] * s + (s - 1f);
      t[i] = e1 / (2f + e1);   // with the negation written here (-e1 / ...) C2 left this loop scalar (measured 10x slower)
    }
  }

  /** z = -sign(p) t = sign(p) tanh(|p|), with the sign from -p 10^30 clamped to [-1, 1]. */
  private static void sign(float[] pre, float[] t, float[] z, int n) {
    for (int i = 0; i < n; i++) {
      float u = Math.min(Math.max(pre[i] * -1e30f, -1f), 1f);
      z[i] = u * t[i];
    }
  }

  private static void derivative(float[] y, float[] g, float[] d, int n) {
    for (int i = 0; i < n; i++) {
      float yi = y[i];
      d[i] = (1f - yi * yi) * g[i];
    }
  }


  private static void get(FloatBuffer b, long offset, long stride, int r, int c, float[] dst, int at, int n) {
    b.get((int) (offset + r * stride + c), dst, at, n);
  }

  private static void put(FloatBuffer b, long offset, long stride, int r, int c, float[] src, int at, int n) {
    b.put((int) (offset + r * stride + c), src, at, n);
  }
}
