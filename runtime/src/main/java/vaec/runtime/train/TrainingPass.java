package vaec.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.rng.NoiseSource;

/**
 * One training step's gradient: the training graph forward and backward, then, when the model
 * has learned control variates (REBAR, RELAX), their variance objective. That second graph needs
 * what the first one computed (the estimator's gradient at each such latent's logits, its draws
 * and its noise), so it runs after the first backward pass, on values copied across through its
 * linked inputs ({@link Graph#linkedInputs}), and adds only its own parameters' gradients to the shared store.
 */
public final class TrainingPass {
  private final Executor main;
  private final Executor controlVariates;
  private final List<Copy> copies = new ArrayList<>();

  /** Fills one input of the control-variate graph after the training graph's backward pass. */
  private record Copy(INDArray target, Executor from, Node node, boolean gradient) {}

  public TrainingPass(CompiledModel m, int batch, ParameterStore params) {
    this.main = new Executor(m.train(), batch, params);
    Graph cv = m.controlVariates();
    this.controlVariates = cv == null ? null : new Executor(cv, batch, params, false);
    if (cv == null) return;
    if (!cv.inputs().isEmpty()) throw new IllegalStateException("companion graph inputs not linked: " + cv.inputs().keySet());
    for (Graph.LinkedInput in : cv.linkedInputs()) {
      copies.add(new Copy(controlVariates.value(in.input()), main, in.source().node(), in.source().gradient()));
    }
  }

  public Executor main() { return main; }

  /** The training graph's executor, then the control variates' when the model has them. */
  public List<Executor> executors() { return controlVariates == null ? List.of(main) : List.of(main, controlVariates); }

  /** The training graph's data input, which callers fill before {@link #forward}. */
  public INDArray input(String name) { return main.input(name); }

  /** Binds schedules given in epochs to steps ({@link Executor#beginRun}). */
  public void beginRun(long stepsPerEpoch) {
    main.beginRun(stepsPerEpoch);
    if (controlVariates != null) controlVariates.beginRun(stepsPerEpoch);
  }

  public void drawNoise(NoiseSource noise, long step) {
    main.drawNoise(noise, step);
    if (controlVariates != null) controlVariates.drawNoise(noise, step);
  }

  /** Leaves the stateful ops' updates to the caller ({@link Executor#deferStateUpdates}). */
  public void deferStateUpdates() {
    for (Executor e : executors()) e.deferStateUpdates();
  }

  /** Tells every op the step, without drawing noise (a caller that fills the noise itself). */
  public void beginStep(long step) {
    main.beginStep(step);
    if (controlVariates != null) controlVariates.beginStep(step);
  }

  public void forward() { main.forward(); }

  /** Forward with each op's time added to {@code profile} (the training graph only). */
  public void forward(vaec.runtime.exec.StepProfile profile) { main.forward(profile); }

  /** Gradients of every parameter into the store: the training loss's, then the control variates' variance objective's. */
  public void backward() { backward(null); }

  /** Backward with each op's time added to {@code profile} when not null (the control-variate graph's ops to its {@link vaec.runtime.exec.StepProfile#companion}). */
  public void backward(vaec.runtime.exec.StepProfile profile) {
    main.backward(profile);
    if (controlVariates == null) return;
    for (int i = 0; i < copies.size(); i++) {      // indexed: an iterator was the step's last heap allocation
      Copy c = copies.get(i);
      // Kernels' reused scalar ops (a product with 1 is a copy): no ND4J buffer per step
      if (!c.gradient()) vaec.runtime.kernels.Kernels.scale(c.from().value(c.node()), 1.0, c.target());
      else {
        INDArray g = c.from().gradient(c.node());
        if (g == null) vaec.runtime.kernels.Kernels.fill(c.target(), 0);
        // The executor's gradients are of the batch-mean loss; the estimator is per example.
        else vaec.runtime.kernels.Kernels.scale(g, main.batch(), c.target());
      }
    }
    vaec.runtime.exec.StepProfile cp = profile == null ? null : profile.companion(controlVariates);
    controlVariates.forward(cp);
    controlVariates.backward(cp);
  }

  /** The first non-finite gradient of either graph, training graph first; null if none. */
  public Node firstNonFiniteGradient() {
    Node n = main.firstNonFiniteGradient();
    return n != null || controlVariates == null ? n : controlVariates.firstNonFiniteGradient();
  }
}
