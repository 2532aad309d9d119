package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.data.DataLoader;
import vaec.runtime.data.DataSplit;
import vaec.runtime.kernels.KernelPath;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.optim.OptimizerSpec;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * The backend-neutral kernel paths (ND4J's own ops only, what the CUDA backend runs) against the
 * direct CPU kernels (OpenBLAS called on host addresses, Adam's host loop, im2col on host arrays,
 * the gather into the input's NIO view, the helper thread), on the CPU: the same model, seed and
 * batches trained a few steps each way ({@link KernelPath#forceNeutral}), comparing the loss of
 * every step and every parameter at the end.
 *
 * <p>Tolerance. The two paths do the same arithmetic in a different order (ND4J's gemm blocks its
 * sums differently from a split cblas call; libnd4j's conv2d against im2col and one gemm; Adam's
 * fused op computes its bias correction unfolded), so they differ by float32 rounding, about 1e-7
 * relative per operation. Adam divides each gradient by the root of its own second moment, so a
 * rounding difference in a gradient that is nearly zero can change that parameter's early steps
 * by up to the learning rate; over 6 steps of lr 1e-3 that bounds a parameter's difference by
 * 6e-3 in the worst case. Measured (see the README's CUDA section) it is far smaller; the test
 * allows 1e-4 absolute per parameter and 1e-4 relative on each step's loss, and checks that the
 * parameters moved by much more than that (so a comparison of untrained models cannot pass it),
 * and that each neutral path actually ran.
 */
class KernelPathTest {
  static final int STEPS = 6;
  static final double PARAM_TOL = 1e-4;
  static final double LOSS_TOL = 1e-4;
  static final double SGD_LR = 1e-3;
  /** Under Adam: at most this fraction of the parameters may differ by more than PARAM_TOL. */
  static final double ADAM_OVER = 1e-2;

  @TempDir Path dir;

  @AfterEach
  void reset() { KernelPath.forceNeutral(false); }

  record Run(double[] losses, float[] init, float[] params) {}

  Run train(String example, int batch, boolean neutral, OptimizerSpec opt) {
    KernelPath.forceNeutral(neutral);
    try {
      // Compiled under the setting: Conv2d picks its arithmetic, Adam its loop, when made.
      CompiledModel m = Compiler.compile(SourceFile.read(Path.of("../examples/" + example))).compiled();
      m = m.withConfig(m.config().withBatch(batch).withEpochs(1).withOptimizer(opt));
      var c = m.config();
      DataSplit d = DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
      ModelState s = ModelState.fresh(m);
      float[] init = s.params().toFloatArray();
      List<Double> running = new ArrayList<>();
      Trainer[] t = new Trainer[1];
      t[0] = new Trainer(s, d, dir.resolve(example + (neutral ? ".n" : ".d") + ".vaeckpt"), new TrainingListener() {
        @Override public void batchDone(long b, double[] terms) {
          running.add(terms[0]);
          if (b >= STEPS) t[0].requestStop();
        }
      });
      t[0].train(1);
      assertEquals(STEPS, s.step());
      double[] losses = new double[STEPS];   // each step's loss, from the running means
      for (int i = 0; i < STEPS; i++) losses[i] = running.get(i) * (i + 1) - (i == 0 ? 0 : running.get(i - 1) * i);
      return new Run(losses, init, s.params().toFloatArray());
    } finally {
      KernelPath.forceNeutral(false);
    }
  }

  void compare(String example, int batch, KernelPath.Kernel... used) {
    long[] before = new long[KernelPath.Kernel.values().length];
    for (OptimizerSpec opt : List.of(OptimizerSpec.sgd(SGD_LR), OptimizerSpec.adam())) {
      for (KernelPath.Kernel k : KernelPath.Kernel.values()) before[k.ordinal()] = KernelPath.neutralUses(k);
      Run direct = train(example, batch, false, opt);
      for (KernelPath.Kernel k : KernelPath.Kernel.values()) {
        assertEquals(before[k.ordinal()], KernelPath.neutralUses(k), example + ": the direct run used the neutral " + k);
      }
      Run neutral = train(example, batch, true, opt);
      for (KernelPath.Kernel k : used) {
        if (k == KernelPath.Kernel.ADAM && !opt.name().equals(OptimizerSpec.ADAM)) continue;
        assertTrue(KernelPath.neutralUses(k) > before[k.ordinal()], example + ": the neutral run did not use the neutral " + k);
      }
      double lossDiff = 0;
      for (int i = 0; i < STEPS; i++) {
        lossDiff = Math.max(lossDiff, Math.abs(direct.losses[i] - neutral.losses[i]) / Math.abs(direct.losses[i]));
      }
      float paramDiff = 0, moved = 0;
      int over = 0;
      assertEquals(direct.params.length, neutral.params.length);
      for (int i = 0; i < direct.params.length; i++) {
        assertEquals(direct.init[i], neutral.init[i], example + ": same initialisation");
        float d = Math.abs(direct.params[i] - neutral.params[i]);
        paramDiff = Math.max(paramDiff, d);
        if (d > PARAM_TOL) over++;
        moved = Math.max(moved, Math.abs(direct.params[i] - direct.init[i]));
      }
      System.out.printf(Locale.ROOT, "%s %s (batch %d, %d steps): losses %.4f .. %.4f; max relative loss difference %.3g, "
          + "max |parameter difference| %.3g (%d of %d over %.0e), parameters moved up to %.3g%n",
          example, opt.name(), batch, STEPS, direct.losses[0], direct.losses[STEPS - 1], lossDiff, paramDiff, over, direct.params.length,
          PARAM_TOL, moved);
      assertTrue(moved > 10 * PARAM_TOL, example + ": training moved the parameters by only " + moved);
      assertTrue(lossDiff < LOSS_TOL, example + ": relative loss difference " + lossDiff);
      if (opt.name().equals(OptimizerSpec.SGD)) {
        assertTrue(paramDiff < PARAM_TOL, example + ": max |parameter difference| " + paramDiff);
      } else {
        assertTrue(over <= ADAM_OVER * direct.params.length, example + ": " + over + " parameters differ by more than " + PARAM_TOL);
      }
    }
  }

  @Test
  void referenceVaeTrainsTheSameThroughBothPaths() {
    compare("vae.vae", 128, KernelPath.Kernel.GEMM, KernelPath.Kernel.ADAM, KernelPath.Kernel.GATHER);
  }

  @Test
  void convVaeTrainsTheSameThroughBothPaths() {
    compare("conv_vae.vae", 16, KernelPath.Kernel.GEMM, KernelPath.Kernel.ADAM, KernelPath.Kernel.CONV2D, KernelPath.Kernel.GATHER);
  }

  @Test
  void enumeratedMixtureTrainsTheSameThroughBothPaths() {
    compare("mixture_vae.vae", 8, KernelPath.Kernel.GEMM, KernelPath.Kernel.ADAM, KernelPath.Kernel.GATHER);
  }

  /**
   * Every example trains on the neutral paths alone (as on a GPU): two steps each, with finite
   * losses and parameters. A data path written relative to the repository root (as examples were
   * once written) is rewritten relative to this module's folder, the tests' working directory.
   */
  @Test
  void everyExampleTrainsOnTheNeutralPaths() throws Exception {
    List<Path> files;
    try (var s = java.nio.file.Files.list(Path.of("../examples"))) {
      files = s.filter(f -> f.toString().endsWith(".vae")).sorted().toList();
    }
    assertTrue(files.size() >= 20, "examples found: " + files.size());
    KernelPath.forceNeutral(true);
    try {
      for (Path f : files) {
        String text = java.nio.file.Files.readString(f).replace("\"examples/data/", "\"../examples/data/");
        // Named by its path from here, so that paths written relative to the model file resolve too.
        CompiledModel m = Compiler.compile(new SourceFile(f.toString(), text)).compiled();
        m = m.withConfig(m.config().withBatch(Math.min(m.config().batch(), 16)).withEpochs(1));
        var c = m.config();
        DataSplit d = DataLoader.load(m.file(), m.data(), new DataLoader.Request(c.dataset(), c.testDataset(), c.dynamicBinarization(), c.seed()));
        ModelState s = ModelState.fresh(m);
        List<Double> losses = new ArrayList<>();
        Trainer[] t = new Trainer[1];
        t[0] = new Trainer(s, d, dir.resolve(f.getFileName() + ".vaeckpt"), new TrainingListener() {
          @Override public void batchDone(long b, double[] terms) {
            losses.add(terms[0]);
            if (b >= 2) t[0].requestStop();
          }
        });
        t[0].train(1);
        assertEquals(2, s.step(), f.toString());
        for (double l : losses) assertTrue(Double.isFinite(l), f + ": loss " + losses);
        for (float v : s.params().toFloatArray()) assertTrue(Float.isFinite(v), f + ": a parameter is " + v);
        System.out.printf(Locale.ROOT, "neutral paths: %s trains (losses %s)%n", f.getFileName(), losses);
      }
    } finally {
      KernelPath.forceNeutral(false);
    }
  }
}
