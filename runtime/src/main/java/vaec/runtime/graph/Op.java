package vaec.runtime.graph;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable operation. Implementations write into buffers the executor planned once; they
 * never allocate per step (scratch space is asked for in {@link #scratchWidths} and handed over).
 */
public interface Op {
  /** Output width, given the input nodes; throws IllegalArgumentException on a wiring bug. */
  int outputWidth(java.util.List<Node> inputs);

  /** Widths of per-batch scratch buffers this op needs (rows = batch), allocated once. */
  default int[] scratchWidths(java.util.List<Node> inputs) { return new int[0]; }

  /** Fills scratch buffers that hold constants (e.g. a column of ones), once after allocation. */
  default void initScratch(INDArray[] scratch) {}

  /** out = f(in). */
  void forward(INDArray[] in, INDArray out, INDArray[] scratch);

  /**
   * Gradients of the inputs given the output's gradient {@code gOut}. For each input i with
   * {@code gIn[i] != null}: when {@code accumulate[i]} add into it, otherwise overwrite it.
   */
  void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, boolean[] accumulate,
                INDArray[] scratch);

  /** Whether the output is a view of input 0 (no buffer of its own). */
  default boolean aliasesInput() { return false; }

  /** Whether gradients flow through this op at all (false for stop-gradient). */
  default boolean differentiable() { return true; }

  /** Whether {@link #backward} writes only part of input i's gradient (then it is zeroed first). */
  default boolean writesPartialGradient(int input) { return false; }

  /** Called before each step's forward pass with the step number (settings that follow a schedule). */
  default void beginStep(long step) {}

  /** Whether the op keeps state that {@link #afterTrainingStep} updates (e.g. a running baseline). */
  default boolean hasState() { return false; }

  /** Called once after every training step's backward pass, never during evaluation. */
  default void afterTrainingStep(INDArray[] in, INDArray out) {}

  /** A name with its settings, for summaries and DOT. */
  String describe();
}
