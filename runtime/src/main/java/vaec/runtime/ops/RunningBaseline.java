package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/**
 * The running-average baseline of a score-function estimator (Williams 1992; Mnih and Gregor 2014):
 * outputs, for every example, the bias-corrected exponential moving average of the learning signal
 * seen in earlier training steps. Inputs (signal, state) where state is a two-element parameter
 * [sum, weight] that the optimizer never moves (it has no gradient) and that checkpoints carry. The
 * average is updated only after a training step, so evaluation does not change it.
 */
public final class RunningBaseline implements Op {
  private final double decay;

  public RunningBaseline(double decay) {
    if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("decay must be in (0, 1)");
    this.decay = decay;
  }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != 1) throw new IllegalArgumentException("baseline signal must be batch x 1");
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double weight = Kernels.element(in[1], 1);   // not getDouble, which makes index arrays per call
    Kernels.fill(out, weight > 0 ? Kernels.element(in[1], 0) / weight : 0.0);
  }

  @Override public boolean differentiable() { return false; }
  @Override public boolean hasState() { return true; }

  @Override
  public void afterTrainingStep(INDArray[] in, INDArray out) {
    update(in, sum(in[0]) / in[0].rows());
  }

  /** The batch's mean signal is the row-weighted mean of its parts' means. */
  @Override
  public void afterTrainingStepOfParts(List<INDArray[]> inputs, List<INDArray> outputs) {
    double sum = 0;
    long rows = 0;
    for (INDArray[] in : inputs) {
      sum += sum(in[0]);
      rows += in[0].rows();
    }
    update(inputs.get(0), sum / rows);
  }

  /**
   * The sum as a product with a ones row into a 1 x 1 buffer made once: sumNumber() makes five
   * ND4J buffers per call. Only the training thread calls this (after the step's halves).
   */
  private double sum(INDArray signal) {
    if (total == null || total.dataType() != signal.dataType()) total = org.nd4j.linalg.factory.Nd4j.create(signal.dataType(), 1, 1);
    return vaec.runtime.kernels.Kernels.columnSum(signal, total);
  }

  private void update(INDArray[] in, double mean) {
    if (!Double.isFinite(mean)) return;
    // sum and weight decay together, so sum / weight is the bias-corrected average.
    Kernels.putElement(in[1], 0, decay * Kernels.element(in[1], 0) + (1 - decay) * mean);
    Kernels.putElement(in[1], 1, decay * Kernels.element(in[1], 1) + (1 - decay));
  }

  private INDArray total;

  @Override public String describe() { return "running_baseline(decay " + decay + ")"; }

  /** It reads across rows. */
  @Override public boolean rowwise() { return false; }
  /** Its output is the state, the same for every example; the update is split by {@link #afterTrainingStepOfParts}. */
  @Override public boolean perExample() { return true; }
  @Override public boolean splitsState() { return true; }
}
