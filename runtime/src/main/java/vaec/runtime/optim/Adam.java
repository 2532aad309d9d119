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
 * <p>On the CPU backend the update runs as one Java loop over heap copies of the vectors, which
 * the JIT vectorizes: measured 0.35 ms for 650k parameters against 5.0 ms for ND4J's fused
 * AdamUpdater op (and 5.4 ms for the same arithmetic as separate ND4J ops) on the 2-core
 * development machine; the two bulk copies between ND4J's memory and the heap cost about as much
 * again. On other backends (CUDA) the fused native op is used, where the vectors live on the
 * device, and so it is on the CPU when VAEC_KERNELS=neutral ({@link vaec.runtime.kernels.KernelPath}).
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
  }

  @Override
  public boolean step(INDArray params, INDArray grads) {
    return onHost ? hostStep(params, grads) : nativeStep(params, grads);
  }

  private boolean hostStep(INDArray params, INDArray grads) {
    int n = (int) params.length();
    if (hp == null) {
      hp = new float[n];
      hg = new float[n];
      hm = m.toFloatVector();
      hv = v.toFloatVector();
    }
    params.data().asNioFloat().get(0, hp);
    grads.data().asNioFloat().get(0, hg);
    // A float is NaN or infinite exactly when its exponent bits are all ones; adding one unit to
    // the exponent field then carries into the sign bit. An OR over ints vectorizes.
    int flags = 0;
    for (float g : hg) flags |= (Float.floatToRawIntBits(g) & 0x7f800000) + 0x00800000;
    if (flags < 0) return false;
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    // Bias-corrected step size, folded as in the Adam paper's efficient form.
    double c2 = Math.sqrt(1 - Math.pow(beta2, t + 1));
    float stepSize = (float) (lr * c2 / (1 - Math.pow(beta1, t + 1)));
    float epsHat = (float) (eps * c2);
    int mid = n / 2;
    // Two halves on two cores (a vectorized loop each): measured 0.35 ms for the whole on one.
    if (n < 65_536) {
      update(0, n, b1, b2, a1, a2, stepSize, epsHat);
    } else {
      vaec.runtime.kernels.Parallel.both(() -> update(0, mid, b1, b2, a1, a2, stepSize, epsHat),
          () -> update(mid, n, b1, b2, a1, a2, stepSize, epsHat));
    }
    params.data().asNioFloat().put(0, hp);
    t++;
    return true;
  }

  private void update(int from, int to, float b1, float b2, float a1, float a2, float stepSize, float epsHat) {
    float[] p = hp, g = hg, mm = hm, vv = hv;
    for (int i = from; i < to; i++) {
      float gi = g[i];
      float mi = b1 * mm[i] + a1 * gi;
      float vi = b2 * vv[i] + a2 * gi * gi;
      mm[i] = mi;
      vv[i] = vi;
      p[i] -= stepSize * mi / ((float) Math.sqrt(vi) + epsHat);
    }
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
    hp = null;
    t = ((long) Float.floatToRawIntBits(st[0]) << 32) | (Float.floatToRawIntBits(st[1]) & 0xffffffffL);
  }
}
