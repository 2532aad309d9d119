package vaec.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import vaec.compiler.Compiler;
import vaec.compiler.SourceFile;
import vaec.runtime.graph.Node;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.optim.Optimizer;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.TrainingPass;

/**
 * One training step of the reference VAE (bench/reference.vae, batch 128) as the trainer runs it
 * after the batch is gathered: noise, forward, the loss read back, backward, and the Adam update.
 * The batch is a fixed binary one; the data gather and binarization are not included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TrainingStepBenchmark {
  ModelState state;
  TrainingPass pass;
  Optimizer optimizer;
  INDArray loss;
  long step;

  /** The reference VAE's source, packaged from bench/reference.vae by the build. */
  static String referenceSource() {
    try (InputStream in = TrainingStepBenchmark.class.getResourceAsStream("/vaec/bench/reference.vae")) {
      if (in == null) throw new IllegalStateException("bench/reference.vae is not on the class path; rebuild the benchmarks module");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bench/reference.vae from the class path", e);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    CompiledModel m = Compiler.compile(new SourceFile("reference.vae", referenceSource())).compiled();
    state = ModelState.fresh(m);
    int batch = m.config().batch();
    pass = new TrainingPass(m, batch, state.params());
    pass.beginRun(60_000 / batch);
    INDArray x = pass.input("x");
    SplittableRandom r = new SplittableRandom(1);
    float[] row = new float[(int) x.columns()];
    for (int i = 0; i < x.rows(); i++) {
      for (int j = 0; j < row.length; j++) row[j] = r.nextDouble() < 0.3 ? 1f : 0f;
      x.getRow(i).assign(org.nd4j.linalg.factory.Nd4j.createFromArray(row));
    }
    optimizer = m.config().optimizer().create(state.params().values().length());
    Node lossNode = m.train().output(m.terms().get(0).output());
    loss = pass.main().value(lossNode);
  }

  @Benchmark
  public double step() {
    pass.drawNoise(state.noise(), step);
    pass.forward();
    double l = loss.sumNumber().doubleValue();
    pass.backward();
    if (!optimizer.step(state.params().values(), state.params().grads())) throw new IllegalStateException("non-finite gradient");
    step++;
    return l;
  }
}
