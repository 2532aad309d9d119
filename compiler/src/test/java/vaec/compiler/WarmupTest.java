package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.kernels.Warmup;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * The kernels' warm-up (vaec run starts it while it compiles the model and loads the data) leaves
 * a run's numbers alone: the same model and seed trained a few steps of Adam before any warm-up,
 * then again after a whole warm-up (its kernels compiled from its own calls), give the same
 * parameters bit for bit, and they moved.
 */
class WarmupTest {
  static final int STEPS = 5;

  @TempDir Path dir;

  float[][] train(String name) {
    CompiledModel m = Compiler.compile(SourceFile.read(Path.of("../examples/vae.vae"))).compiled();
    m = m.withConfig(m.config().withBatch(64).withEpochs(1));
    var c = m.config();
    DataSplit d = DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
    ModelState s = ModelState.fresh(m);
    float[] init = s.params().toFloatArray();
    Trainer[] t = new Trainer[1];
    t[0] = new Trainer(s, d, dir.resolve(name + ".vaeckpt"), new TrainingListener() {
      @Override public void batchDone(long b, double[] terms) {
        if (b >= STEPS) t[0].requestStop();
      }
    });
    t[0].train(1);
    assertEquals(STEPS, s.step());
    return new float[][] {init, s.params().toFloatArray()};
  }

  @Test
  void aRunGivesTheSameParametersWithAndWithoutTheWarmup() throws InterruptedException {
    float[][] plain = train("plain");
    assertTrue(Warmup.nanos() < 0, "no warm-up has run in this JVM yet");
    Warmup.begin();
    Warmup.await();
    assertTrue(Warmup.completed(), "the warm-up made all its calls");
    float[][] warmed = train("warmed");
    assertArrayEquals(plain[0], warmed[0], "the same initialisation");
    assertArrayEquals(plain[1], warmed[1], "the same parameters after " + STEPS + " steps");
    float moved = 0;
    for (int i = 0; i < plain[0].length; i++) moved = Math.max(moved, Math.abs(plain[1][i] - plain[0][i]));
    assertTrue(moved > 1e-4, "training moved the parameters by only " + moved);
  }
}
