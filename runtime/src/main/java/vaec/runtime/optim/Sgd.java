package vaec.runtime.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Plain stochastic gradient descent: params -= lr * grads, one BLAS axpy per step. */
public final class Sgd implements Optimizer {
  private final double lr;
  private long t;

  public Sgd(double lr) { this.lr = lr; }

  @Override
  public boolean step(INDArray params, INDArray grads) {
    if (!Double.isFinite(grads.sumNumber().doubleValue())) return false;
    Nd4j.getBlasWrapper().level1().axpy(params.length(), -lr, grads, params);
    t++;
    return true;
  }

  @Override public String name() { return "sgd"; }
  @Override public long steps() { return t; }
  @Override public Map<String, float[]> state() { return Map.of("t", new float[] {t}); }

  @Override
  public void loadState(Map<String, float[]> state) {
    float[] st = state.get("t");
    t = st == null ? 0 : (long) st[0];
  }
}
