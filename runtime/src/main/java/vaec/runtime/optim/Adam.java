package vaec.runtime.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.UserError;

/**
 * Adam (Kingma and Ba) with bias correction over the whole flat parameter vector.
 *
 * <p>On the CPU backend the update runs as a Java loop, in two halves on the two cores for large
 * vectors, with the moments on the heap. When the JVM has the Vector API (the launcher adds
 * {@code --add-modules jdk.incubator.vector}) the loop reads the gradients and updates the values
 * in ND4J's native buffers directly (kernels/AdamVector); without it, over heap copies of both,
 * which the JIT vectorizes (the copies double the bytes streamed). Measured on the 2-core
 * development machine, 652,824 parameters in two halves (bench/jmh.sh Adam): 0.25 ms in place
 * against 0.62 ms with the copies; ND4J's fused AdamUpdater op took 5.0 ms (an earlier session).
 * Both give the same floats. VAEC_VECTOR=0 turns the Vector API path off.
 *
 * <p>Tiny values are flushed to zero so that no arithmetic meets a subnormal float, which x86 runs
 * through a microcode assist many times slower: a gradient of magnitude below {@link #G_MIN}
 * (2^-56; its square times 1 - beta2 would be subnormal) counts as 0; a first moment below
 * {@link #M1_MIN} (2^-100; it is multiplied by the step size, 2^-10 at lr 1e-3) becomes 0; and
 * where the second moment falls below {@link #M_MIN} (2^-120), both moments become 0 (so that no
 * update divides a first moment by eps alone).
 * Without this, the first moments of weights whose gradient is exactly 0 for many steps (the
 * encoder's weights on pixels that are 0 in most images) decay by beta1 each step into the
 * subnormal range after about 800 steps, and the update of the half of the vector holding them
 * took 1.2-2.7 ms instead of 0.2 ms in training (measured, reference VAE on Fashion-MNIST); with
 * a first-moment bound of 2^-120 the product m x step was still subnormal for the 25 or so steps
 * each decaying moment spends between 2^-116 and 2^-120, and the update took 0.6-1.9 ms a step
 * over steps 650-850.
 * What the flush changes, with the default betas and eps (1e-8): an update by at most 2^-24 of
 * the step size. (With these betas a second moment below 2^-120 bounds the first below 10 x
 * 2^-60, by Cauchy-Schwarz, and eps x sqrt(1 - beta2) is above 2^-32.) With an eps below about 1e-20, a parameter whose
 * gradients stay below 1e-18 would be held still instead of moving by up to 10 step sizes. AdamTest
 * checks the updates against the textbook one in double precision. Checkpoints hold the flushed
 * moments, so a resumed run continues bit for bit. On other backends (CUDA) the fused native op is
 * used, where the vectors live on the device, and so it is on the CPU when VAEC_KERNELS=neutral
 * ({@link vaec.runtime.kernels.KernelPath}); it does not flush.
 */
public final class Adam implements Optimizer {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final INDArray m;
  private final INDArray v;
  private final boolean onHost;
  private float[] hp, hg, hm, hv;
  private long t;

  public Adam(long size, DataType dtype, double lr, double beta1, double beta2, double eps) {
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.m = Nd4j.zeros(dtype, size);
    this.v = Nd4j.zeros(dtype, size);
    this.onHost = dtype == DataType.FLOAT && vaec.runtime.kernels.KernelPath.direct();
    this.vector = VECTOR;
  }

  /** Gradients below this magnitude count as 0 (their squares would be subnormal). */
  static final float G_MIN = 0x1p-56f;
  /** Moments below this magnitude become 0 (so that a decaying moment never becomes subnormal). */
  static final float M_MIN = 0x1p-120f;
  /**
   * First moments below this magnitude become 0: the update multiplies m by the step size (about
   * 2^-10 at lr 1e-3), and m x step must stay a normal float for steps down to 2^-26.
   */
  static final float M1_MIN = 0x1p-100f;

  static float flushGradient(float g) { return Math.abs(g) < G_MIN ? 0f : g; }

  /** The new first moment m, flushed, given the new (unflushed) second moment v. */
  static float flushFirst(float m, float v) { return v < M_MIN || Math.abs(m) < M1_MIN ? 0f : m; }

  static float flushSecond(float v) { return v < M_MIN ? 0f : v; }

  @Override
  public boolean step(INDArray params, INDArray grads) {
    return onHost ? hostStep(params, grads) : nativeStep(params, grads);
  }

  // The host step's per-step state, in fields so that its two halves are made once (no allocation per step).
  private java.nio.FloatBuffer pb, gb;
  private int mid, n;
  private final int[] flags = new int[2];
  private float stepSize, epsHat;
  private final Runnable fetchLow = () -> flags[0] = fetch(0, mid);
  private final Runnable fetchHigh = () -> flags[1] = fetch(mid, n);
  private final Runnable updateLow = () -> update(0, mid);
  private final Runnable updateHigh = () -> update(mid, n);

  /** Whether the in-place path runs: the Vector API module is in the boot layer and not turned off. */
  static final boolean VECTOR = vaec.runtime.kernels.VectorApi.ON;

  private final boolean vector;

  /** Adam on heap copies even when the Vector API is there (tests compare the two paths). */
  Adam withoutVectorApi() {
    return new Adam(this, false);
  }

  private Adam(Adam like, boolean vector) {
    this.lr = like.lr;
    this.beta1 = like.beta1;
    this.beta2 = like.beta2;
    this.eps = like.eps;
    this.m = like.m.dup();
    this.v = like.v.dup();
    this.onHost = like.onHost;
    this.vector = vector;
    this.t = like.t;
  }

  // The native buffers of the last step's values and gradients, as byte buffers made once: the
  // parameter store hands the same two buffers every step.
  private org.nd4j.linalg.api.buffer.DataBuffer pData, gData;
  private java.nio.ByteBuffer pBytes, gBytes;

  private boolean hostStep(INDArray params, INDArray grads) {
    n = (int) params.length();
    if (hm == null) {
      hm = m.toFloatVector();
      hv = v.toFloatVector();
    }
    if (vector) return vectorStep(params, grads);
    if (hp == null) {
      hp = new float[n];
      hg = new float[n];
    }
    pb = params.data().asNioFloat();
    gb = grads.data().asNioFloat();
    boolean split = n >= 65_536;
    mid = split ? n / 2 : n;
    bias();
    // Phase 1, in two halves on two cores when large: bring the values and gradients to the heap
    // (bulk copies) and check the gradients. The step is all or nothing, so the check must finish
    // for the whole vector before anything is updated. Phase 2: the update (a loop the JIT
    // vectorizes) and the copy back, again in halves.
    flags[1] = 0;
    if (split) vaec.runtime.kernels.Parallel.both(fetchLow, fetchHigh);
    else fetchLow.run();
    if ((flags[0] | flags[1]) < 0) return false;
    if (split) vaec.runtime.kernels.Parallel.both(updateLow, updateHigh);
    else updateLow.run();
    pb = null;
    gb = null;
    t++;
    return true;
  }

  /**
   * Copies [from, to) of the values and gradients to the heap; returns a negative number when a
   * gradient there is NaN or infinite. A float is NaN or infinite exactly when its exponent bits are
   * all ones; adding one unit to the exponent field then carries into the sign bit. An OR over ints
   * vectorizes.
   */
  private int fetch(int from, int to) {
    pb.get(from, hp, from, to - from);
    gb.get(from, hg, from, to - from);
    float[] g = hg;
    int f = 0;
    for (int i = from; i < to; i++) f |= (Float.floatToRawIntBits(g[i]) & 0x7f800000) + 0x00800000;
    return f;
  }

  private void update(int from, int to) {
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    float step = stepSize;
    float e = epsHat;
    float[] p = hp, g = hg, mm = hm, vv = hv;
    for (int i = from; i < to; i++) {
      float gi = flushGradient(g[i]);
      float vi = b2 * vv[i] + a2 * gi * gi;
      float mi = flushFirst(b1 * mm[i] + a1 * gi, vi);
      vi = flushSecond(vi);
      mm[i] = mi;
      vv[i] = vi;
      p[i] -= step * mi / ((float) Math.sqrt(vi) + e);
    }
    pb.put(from, p, from, to - from);
  }

  private final Runnable checkLow = () -> flags[0] = vaec.runtime.kernels.VectorApi.KERNELS.adamCheck(gBytes, 0, mid);
  private final Runnable checkHigh = () -> flags[1] = vaec.runtime.kernels.VectorApi.KERNELS.adamCheck(gBytes, mid, n);
  private final Runnable inPlaceLow = () -> inPlace(0, mid);
  private final Runnable inPlaceHigh = () -> inPlace(mid, n);

  private void inPlace(int from, int to) {
    vaec.runtime.kernels.VectorApi.KERNELS.adamUpdate(pBytes, gBytes, hm, hv, from, to, (float) beta1, (float) beta2, stepSize, epsHat, G_MIN, M1_MIN, M_MIN);
  }

  /** The step in place on the native buffers: check every gradient, then update, each in two halves when large. */
  private boolean vectorStep(INDArray params, INDArray grads) {
    if (params.data() != pData || pBytes == null) {
      pData = params.data();
      pBytes = pData.asNio().order(java.nio.ByteOrder.nativeOrder());
    }
    if (grads.data() != gData || gBytes == null) {
      gData = grads.data();
      gBytes = gData.asNio().order(java.nio.ByteOrder.nativeOrder());
    }
    boolean split = n >= 65_536;
    mid = split ? n / 2 : n;
    bias();
    flags[1] = 0;
    if (split) vaec.runtime.kernels.Parallel.both(checkLow, checkHigh);
    else checkLow.run();
    if ((flags[0] | flags[1]) < 0) return false;
    if (split) vaec.runtime.kernels.Parallel.both(inPlaceLow, inPlaceHigh);
    else inPlaceLow.run();
    t++;
    return true;
  }

  /** The bias-corrected step size and epsilon of step t + 1, folded as in the Adam paper's efficient form. */
  private void bias() {
    double c2 = Math.sqrt(1 - Math.pow(beta2, t + 1));
    stepSize = (float) (lr * c2 / (1 - Math.pow(beta1, t + 1)));
    epsHat = (float) (eps * c2);
  }

  private boolean nativeStep(INDArray params, INDArray grads) {
    vaec.runtime.kernels.KernelPath.noteNeutral(vaec.runtime.kernels.KernelPath.Kernel.ADAM);
    if (!Double.isFinite(grads.sumNumber().doubleValue())) return false;
    // The op's iteration argument is the number of updates already made (it bias-corrects with t+1).
    Nd4j.exec(new AdamUpdater(grads, v, m, grads, v, m, lr, beta1, beta2, eps, (int) t));
    params.subi(grads);
    t++;
    return true;
  }

  /** The host loop keeps the moments on the heap; copy them back before they are read. */
  private void syncToDevice() {
    if (hm != null) {
      m.data().asNioFloat().put(0, hm);
      v.data().asNioFloat().put(0, hv);
    }
  }

  @Override public String name() { return "adam"; }
  @Override public long steps() { return t; }

  @Override
  public Map<String, float[]> state() {
    syncToDevice();
    Map<String, float[]> s = new LinkedHashMap<>();
    s.put("m", m.castTo(DataType.FLOAT).toFloatVector());
    s.put("v", v.castTo(DataType.FLOAT).toFloatVector());
    s.put("t", new float[] {Float.intBitsToFloat((int) (t >>> 32)), Float.intBitsToFloat((int) t)});
    return s;
  }

  @Override
  public void loadState(Map<String, float[]> s) {
    float[] sm = s.get("m");
    float[] sv = s.get("v");
    float[] st = s.get("t");
    if (sm == null || sv == null || st == null || sm.length != m.length() || sv.length != v.length()) {
      throw new UserError("the checkpoint's Adam state does not fit this model's " + m.length() + " parameters");
    }
    m.assign(Nd4j.createFromArray(sm).castTo(m.dataType()));
    v.assign(Nd4j.createFromArray(sv).castTo(v.dataType()));
    hm = null;   // re-read from m and v on the next host step
    hv = null;
    t = ((long) Float.floatToRawIntBits(st[0]) << 32) | (Float.floatToRawIntBits(st[1]) & 0xffffffffL);
  }
}
