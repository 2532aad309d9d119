package vaec.runtime.graph;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An operation of the graph: its forward value and, when differentiable, its backward pass.
 * Implementations write into buffers the executor planned once; they never allocate per step
 * (scratch space is asked for in {@link #scratchWidths} and handed over). Whether a gradient is
 * written or accumulated is the executor's business, not the op's (see {@link #backward}).
 *
 * <p>One op object serves every executor of its graph, and two executors may call it at once
 * from two threads (a training step run as two halves of the batch). So forward and backward
 * keep nothing in the op's fields: per-call buffers are scratch, or per thread (Conv2d's im2col
 * buffers). Fields set by {@link #beginStep} and {@link #beginRun} are set before the halves start.
 */
public interface Op {
  /** Output width, given the input nodes; throws IllegalArgumentException on a wiring bug. */
  int outputWidth(java.util.List<Node> inputs);

  /**
   * Rows per example of the output given those of the inputs (see {@link Node#rows}): the same for
   * nearly every op; more for an op that stacks copies along the rows, fewer for one that sums them.
   */
  default int outputRows(int inputRows) { return inputRows; }

  /** Widths of per-batch scratch buffers this op needs (rows = batch), allocated once. */
  default int[] scratchWidths(java.util.List<Node> inputs) { return new int[0]; }

  /** Fills scratch buffers that hold constants (e.g. a column of ones), once after allocation. */
  default void initScratch(INDArray[] scratch) {}

  /** out = f(in). */
  void forward(INDArray[] in, INDArray out, INDArray[] scratch);

  /**
   * Gradients of the inputs given the output's gradient {@code gOut}: for each input i with
   * {@code gIn[i] != null}, overwrite {@code gIn[i]} with d(loss)/d(input i) through this op.
   * {@code gIn[i]} is null when input i needs no gradient. An op never adds into {@code gIn[i]}
   * and never reads it: the executor decides whether the buffer it hands over is the input's
   * gradient itself (the first contribution to it) or a buffer of its own that it adds to the
   * gradient afterwards (every later contribution, e.g. from another consumer of the same value
   * or from the same value feeding two inputs of this op). Each {@code gIn[i]} is distinct from
   * every other argument, may be a strided view (a column slice of a wider gradient), and holds
   * nothing meaningful on entry, unless {@link #writesPartialGradient} says otherwise. Ops that
   * are not {@link #differentiable} or that {@link #aliasesInput} are never asked.
   */
  default void backward(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, INDArray[] scratch) {
    throw new UnsupportedOperationException(describe() + " has no backward pass");
  }

  /**
   * Whether this op can add input i's gradient into {@code gIn[i]} itself, at no extra cost (a gemm
   * with beta = 1): the executor then hands over the input's gradient directly for a later
   * contribution, instead of a buffer of its own that it would add afterwards, and calls
   * {@link #backwardAccumulating}. Only for ops that write all of {@code gIn[i]}.
   */
  default boolean accumulatesGradient(int input) { return false; }

  /**
   * {@link #backward}, except that for each input i with {@code accumulate[i]} true the op adds
   * its gradient into {@code gIn[i]} (which then holds the contributions so far) instead of
   * overwriting it. Called only when {@link #accumulatesGradient} allows it for every such input.
   */
  default void backwardAccumulating(INDArray[] in, INDArray out, INDArray gOut, INDArray[] gIn, boolean[] accumulate,
                                    INDArray[] scratch) {
    throw new UnsupportedOperationException(describe() + " does not accumulate gradients");
  }

  /**
   * Whether the output is a view of input 0 (no buffer of its own): the executor then makes the
   * output's gradient the same view of the input's gradient, and the op has no backward pass.
   */
  default boolean aliasesInput() { return false; }

  /** Whether gradients flow through this op at all (false for stop-gradient). */
  default boolean differentiable() { return true; }

  /**
   * Whether {@link #backward} writes only part of {@code gIn[i]} (and leaves the rest as it finds
   * it); the executor then hands over a buffer that holds zeros.
   */
  default boolean writesPartialGradient(int input) { return false; }

  /** Called before each step's forward pass with the step number (settings that follow a schedule). */
  default void beginStep(long step) {}

  /**
   * Called once before training starts, with the optimizer steps of one epoch (settings whose
   * schedule is given in epochs).
   */
  default void beginRun(long stepsPerEpoch) {}

  /** Whether the op keeps state that {@link #afterTrainingStep} updates (e.g. a running baseline). */
  default boolean hasState() { return false; }

  /** Called once after every training step's backward pass, never during evaluation. */
  default void afterTrainingStep(INDArray[] in, INDArray out) {}

  /**
   * Whether each output row depends only on the same row of the inputs (and on parameters and
   * constants). Only such ops may run on one row per example where an objective repeats every
   * example over its k samples ({@link Graph#apply}); an op that reads across rows (a group's
   * log-mean-exp, a batch statistic, a running average) gets its inputs at k rows per example.
   */
  default boolean rowwise() { return !hasState(); }

  /**
   * Whether each example's output rows depend only on that example's input rows (and on
   * parameters and constants): true of every row-wise op, and of the ops that read across the rows
   * of one example only (an objective's k samples, the blocks of an enumerated latent). Then a
   * batch's loss and gradient are the row-weighted mean of those of any split of its examples, and
   * the trainer may run a step as two halves of the batch on two cores. An op that reads a batch
   * statistic (free bits' batch-mean KL, code perplexity) or keeps state (a running baseline, a
   * codebook's moving averages) is not per example.
   */
  default boolean perExample() { return rowwise(); }

  /**
   * Whether an op with state can update it from a batch that ran as several parts (each through
   * its own executor), by {@link #afterTrainingStepOfParts}, exactly as from the whole batch.
   */
  default boolean splitsState() { return false; }

  /**
   * The update of {@link #afterTrainingStep} after a step whose batch ran as parts: each part's
   * inputs and output, in batch order. Called once per step, after every part's backward pass,
   * only on ops that {@link #splitsState}.
   */
  default void afterTrainingStepOfParts(java.util.List<INDArray[]> inputs, java.util.List<INDArray> outputs) {
    throw new UnsupportedOperationException(describe() + " cannot update its state from parts of a batch");
  }

  /** A name with its settings, for summaries and DOT. */
  String describe();
}
