package vaec.runtime.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.UserError;

/**
 * Adam (Kingma and Ba) with bias correction, as one fused native op over the whole flat parameter
 * vector per step: the update is written over the gradient, then subtracted from the parameters.
 */
public final class Adam implements Optimizer {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final INDArray m;
  private final INDArray v;
  private long t;

  public Adam(long size, DataType dtype, double lr, double beta1, double beta2, double eps) {
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.m = Nd4j.zeros(dtype, size);
    this.v = Nd4j.zeros(dtype, size);
  }

  @Override
  public void step(INDArray params, INDArray grads) {
    // The op's iteration argument is the number of updates already made (it bias-corrects with t+1).
    Nd4j.exec(new AdamUpdater(grads, v, m, grads, v, m, lr, beta1, beta2, eps, (int) t));
    params.subi(grads);
    t++;
  }

  @Override public String name() { return "adam"; }
  @Override public long steps() { return t; }

  @Override
  public Map<String, float[]> state() {
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
    t = ((long) Float.floatToRawIntBits(st[0]) << 32) | (Float.floatToRawIntBits(st[1]) & 0xffffffffL);
  }
}
