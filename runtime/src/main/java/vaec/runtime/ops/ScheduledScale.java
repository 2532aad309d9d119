package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.Schedule;

/**
 * y = c x with c a setting that follows a {@link Schedule} of the training step (told by
 * {@link #beginStep}; steps below 0, the evaluator's, leave it as it is): the KL weight beta of an
 * annealed ELBO. It starts at the schedule's value at step 0.
 */
public final class ScheduledScale implements Op {
  private final Schedule declared;
  private Schedule schedule;
  private double value;

  public ScheduledScale(Schedule schedule) {
    this.declared = schedule;
    this.schedule = schedule;
    this.value = schedule.at(0);
  }

  /** Binds a warm-up given in epochs to optimizer steps. */
  @Override public void beginRun(long stepsPerEpoch) { schedule = declared.inSteps(stepsPerEpoch); }

  /** The factor in use now. */
  public double value() { return value; }

  @Override public void beginStep(long step) { if (step >= 0) value = schedule.at(step); }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override public void forward(INDArray[] in, INDArray out, INDArray[] s) { in[0].mul(value, out); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] != null) g.mul(value, gIn[0]);
  }

  @Override public String describe() { return "scheduled_scale(" + declared + ")"; }
}
