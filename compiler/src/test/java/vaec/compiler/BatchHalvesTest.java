package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * A training step run as two halves of the batch on two cores (runtime TrainingStep) computes the
 * step one pass over the batch computes: the same noise and binarization per example, the halves'
 * gradients folded into the batch mean. Trained from the same start for an epoch of 4 steps with
 * Adam, both runs must end at the same parameters and losses up to float summation order; the
 * tolerance (2e-4 absolute on parameters of order 0.1 to 1 after 4 steps of lr 1e-2) is far below
 * one step's change (about 1e-2), so a half that lost its noise rows, its binarization, its
 * weight in the fold or a block of an enumerated latent fails it.
 */
class BatchHalvesTest {
  static final String ENUMERATED_IN_IWAE = StackedEnumerationTest.TWO_ENUMERATED + "train { OBJECTIVE }\n";

  static CompiledModel compile(String model, String train) {
    return Compiler.compile(new SourceFile("h.vae", model.replace("OBJECTIVE", train))).compiled();
  }

  record Result(float[] params, double trainLoss, boolean halved) {}

  static Result train(CompiledModel m, int width, boolean halves, Path dir) {
    return train(m, width, false, halves, dir);
  }

  static Result train(CompiledModel m, int width, boolean binary, boolean halves, Path dir) {
    int rows = 32;
    float[] values = new float[rows * width];
    Random r = new Random(11);
    for (int i = 0; i < values.length; i++) values[i] = binary ? (r.nextFloat() < 0.4f ? 1 : 0) : r.nextFloat();
    BoundData tr = BoundData.of("x", new Dataset("train", rows, width, values, 0, 0));
    BoundData te = BoundData.of("x", new Dataset("test", 8, width, java.util.Arrays.copyOf(values, 8 * width), 0, 0));
    ModelState s = ModelState.fresh(m);
    double[] last = new double[1];
    Trainer t = new Trainer(s, new DataSplit(tr, te), dir.resolve((halves ? "h" : "w") + ".ckpt"), new TrainingListener() {
      @Override public void epochDone(EpochReport e) { last[0] = e.trainLoss(); }
    });
    t.batchHalves(halves);
    assertTrue(t.train(1));
    return new Result(s.params().toFloatArray(), last[0], t.halved());
  }

  static void assertSameStep(CompiledModel m, int width, Path dir) {
    assertSameStep(m, width, false, dir);
  }

  static void assertSameStep(CompiledModel m, int width, boolean binary, Path dir) {
    Result whole = train(m, width, binary, false, dir);
    Result halves = train(m, width, binary, true, dir);
    assertFalse(whole.halved());
    assertTrue(halves.halved(), "this model's step should run as two halves");
    assertEquals(whole.trainLoss(), halves.trainLoss(), 1e-4 * Math.max(1, Math.abs(whole.trainLoss())));
    double worst = 0;
    for (int i = 0; i < whole.params().length; i++) worst = Math.max(worst, Math.abs(whole.params()[i] - halves.params()[i]));
    assertTrue(worst < 2e-4, "parameters differ by " + worst + " after 4 steps");
  }

  /** Batches of 8 (halves of 4) and of 7 (halves of 3 and 4, weighted 3/7 and 4/7). */
  @ParameterizedTest
  @ValueSource(ints = {8, 7})
  void aGaussianVaeWithDynamicBinarization(int batch, @TempDir Path dir) {
    assertSameStep(ObjectiveTest.compile("batch = " + batch + "\n binarize = dynamic\n seed = 3\n optimizer = Adam(lr = 1e-2)").compiled(), 6, dir);
  }

  @Test
  void anImportanceWeightedBoundKeepsEachExamplesSamplesTogether(@TempDir Path dir) {
    assertSameStep(ObjectiveTest.compile("objective = iwae(samples = 3)\n batch = 8\n binarize = dynamic\n seed = 3\n optimizer = Adam(lr = 1e-2)")
        .compiled(), 6, dir);
  }

  @Test
  void enumeratedLatentsStackedAsBlocksOfRows(@TempDir Path dir) {
    assertSameStep(compile(ENUMERATED_IN_IWAE, "batch = 8\n seed = 3\n optimizer = Adam(lr = 1e-2)"), 4, dir);
    assertSameStep(compile(ENUMERATED_IN_IWAE, "objective = iwae(samples = 2)\n batch = 6\n seed = 3\n optimizer = Adam(lr = 1e-2)"), 4, dir);
  }

  static final String SBN = """
      data x : binary[6]
      latent z : binary[4]
      network e = Linear(6 -> 4)
      network d = Linear(4 -> 6)
      prior z ~ Bernoulli(logits = 0)
      guide z ~ Bernoulli(logits = e(x)) using score_function(baseline = average)
      likelihood x ~ Bernoulli(logits = d(z))
      train { OBJECTIVE }
      """;

  /**
   * A running-average baseline keeps state: it is updated once per step from the whole batch's
   * mean learning signal, which the halves give as the row-weighted mean of theirs. The baseline
   * feeds every later step's gradient, so an update made twice, or from one half, moves the
   * parameters of later steps.
   */
  @Test
  void aRunningAverageBaselineUpdatesOncePerStepFromBothHalves(@TempDir Path dir) {
    CompiledModel m = compile(SBN, "batch = 8\n seed = 3\n optimizer = Adam(lr = 1e-2)");
    assertSameStep(m, 6, true, dir);
  }

  /**
   * REBAR and RELAX: the control variates' graph (its relaxed evaluations stacked as blocks of
   * rows) runs in each half too, and its own parameters' gradients are folded with the rest.
   */
  @ParameterizedTest
  @ValueSource(strings = {"rebar", "relax"})
  void learnedControlVariatesRunInBothHalves(String estimator, @TempDir Path dir) {
    String model = SBN.replace("using score_function(baseline = average)", "using " + estimator);
    assertSameStep(compile(model, "batch = 8\n seed = 3\n optimizer = Adam(lr = 1e-2)"), 6, true, dir);
  }

  static final String CONV = """
      data x : real[8, 8] in [0, 1]
      latent z : real[2]
      network e = Conv(image(1, 8, 8) -> conv(3, kernel = 4, stride = 2, padding = 1) -> flatten -> 4, activation = relu)
      network d = Conv(2 -> 48 -> image(3, 4, 4) -> deconv(1, kernel = 4, stride = 2, padding = 1), activation = relu)
      prior z ~ Normal(0, 1)
      guide { m, s = split(e(x))
        z ~ Normal(m, exp(0.5 * s)) }
      likelihood x ~ Bernoulli(logits = d(z))
      train { OBJECTIVE }
      """;

  /** Convolutions keep their im2col buffers per thread: with one shared buffer the halves raced. */
  @Test
  void convolutionsRunInBothHalvesAtOnce(@TempDir Path dir) {
    assertSameStep(compile(CONV, "batch = 8\n seed = 3\n optimizer = Adam(lr = 1e-2)"), 64, dir);
  }

  /** Free bits floor each latent's KL on its mini-batch mean: a batch statistic, so one pass. */
  @Test
  void aBatchStatisticKeepsTheStepWhole(@TempDir Path dir) {
    CompiledModel m = ObjectiveTest.compile("objective = elbo(free_bits = 0.5)\n batch = 8\n seed = 3").compiled();
    assertFalse(train(m, 6, true, dir).halved());
  }
}
