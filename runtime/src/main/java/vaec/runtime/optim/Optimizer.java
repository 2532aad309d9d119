package vaec.runtime.optim;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates the flat parameter vector from the flat gradient vector, in place. Its state (moments,
 * step count) is named flat vectors, so a checkpoint can hold it and resume exactly.
 */
public interface Optimizer {
  /**
   * One update. Returns false, leaving everything untouched, when the gradient holds a NaN or an
   * infinity (checked here because the optimizer reads every gradient anyway).
   */
  boolean step(INDArray params, INDArray grads);

  String name();

  Map<String, float[]> state();

  void loadState(Map<String, float[]> state);

  long steps();
}
