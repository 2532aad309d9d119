package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.Trainer;

/**
 * The default rule that decides whether a step runs as two halves of the batch (VAEC_BATCH_HALVES
 * unset) reads the model and the batch only, and picks what was measured faster on the benchmark
 * models (bench/PERFORMANCE_LOG.md, "Two cores"): halves for the nonlinear SBN and for the stacked rows of the
 * enumerated mixture, one pass for the reference VAE and the linear SBN.
 */
class HalvesRuleTest {
  static CompiledModel bench(String name) {
    return Compiler.compile(SourceFile.read(Path.of("../bench/" + name))).compiled();
  }

  @Test
  void theMeanSplitProductOfTheBenchmarkModels() {
    // forward products of at least 4 million multiply-adds and 64 columns, at batch 128
    assertEquals((2 * 128.0 * 784 * 400) / 2, Trainer.meanSplitProduct(bench("reference.vae"), 128), 1);
    assertEquals((2 * 128.0 * 784 * 200) / 2, Trainer.meanSplitProduct(bench("sbn_linear.vae"), 128), 1);
    assertEquals((2 * 128.0 * 784 * 200 + 4 * 128.0 * 200 * 200) / 6, Trainer.meanSplitProduct(bench("sbn_nonlinear.vae"), 128), 1);
    // at batch 16 no product reaches the split: no mean
    assertEquals(0.0, Trainer.meanSplitProduct(bench("sbn_nonlinear.vae"), 16), 0.0);
  }

  @Test
  void halvesWhereTheyWereMeasuredFaster() {
    assertTrue(Trainer.halvesByDefault(bench("sbn_nonlinear.vae"), 128), "nonlinear SBN");
    assertTrue(Trainer.halvesByDefault(bench("gmm.vae"), 128), "enumerated mixture (1,280 stacked rows)");
    assertFalse(Trainer.halvesByDefault(bench("reference.vae"), 128), "reference VAE");
    assertFalse(Trainer.halvesByDefault(bench("sbn_linear.vae"), 128), "linear SBN");
    // the reference VAE at batch 512: products of 160 million, one pass (measured 2-8% faster)
    assertFalse(Trainer.halvesByDefault(bench("reference.vae"), 512), "reference VAE, batch 512");
    // the nonlinear SBN at batch 256 (products of 20.2 million) and at 50 (halves of 25 rows): one pass, as measured
    assertFalse(Trainer.halvesByDefault(bench("sbn_nonlinear.vae"), 256), "nonlinear SBN, batch 256");
    assertFalse(Trainer.halvesByDefault(bench("sbn_nonlinear.vae"), 50), "nonlinear SBN, batch 50");
    // convolutions: not counted, not measured; one pass
    assertFalse(Trainer.halvesByDefault(
        Compiler.compile(SourceFile.read(Path.of("../examples/conv_vae.vae"))).compiled(), 128), "conv VAE");
  }
}
