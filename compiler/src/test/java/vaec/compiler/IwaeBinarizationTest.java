package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataSplit;
import vaec.runtime.data.Dataset;
import vaec.runtime.model.CompiledModel;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * Dynamic binarization under an importance-weighted bound: the k rows of one example are k draws
 * of the guide for one x, so they must share one binarized image (the noise is drawn per example,
 * not per row); otherwise the log-mean-exp would mix the weights of k different images.
 */
class IwaeBinarizationTest {
  @Test
  void theSamplesOfOneExampleShareOneBinarizedImage(@TempDir Path dir) {
    CompiledModel m = ObjectiveTest.compile("objective = iwae(samples = 3)\n batch = 8\n binarize = dynamic\n seed = 4").compiled();
    assertTrue(m.config().dynamicBinarization());
    int rows = 16, width = 6;
    float[] values = new float[rows * width];
    Arrays.fill(values, 0.5f);   // the most random binarization: each pixel 0 or 1 with probability 1/2
    BoundData train = BoundData.of("x", new Dataset("train", rows, width, values, 0, 0));
    BoundData test = BoundData.of("x", new Dataset("test", 8, width, Arrays.copyOf(values, 8 * width), 0, 0));
    List<float[][]> seen = new ArrayList<>();
    Trainer t = new Trainer(ModelState.fresh(m), new DataSplit(train, test), dir.resolve("c.ckpt"), new TrainingListener() {});
    t.afterGather(ex -> {
      INDArray x = ex.input("x");
      float[][] copy = new float[(int) x.rows()][];
      for (int r = 0; r < copy.length; r++) copy[r] = x.getRow(r).toFloatVector();
      seen.add(copy);
    });
    assertTrue(t.train(2));
    // 2 epochs of 2 steps; a step run as two halves of the batch gathers into two executors.
    assertEquals(4 * t.executorsPerStep(), seen.size());
    int distinct = 0;
    int examples = 0;
    for (float[][] x : seen) {
      assertEquals(0, x.length % 3);
      examples += x.length / 3;
      for (int e = 0; e < x.length / 3; e++) {
        for (int j = 0; j < 3; j++) {
          for (float v : x[e * 3 + j]) assertTrue(v == 0f || v == 1f, "binarized value " + v);
          assertTrue(Arrays.equals(x[e * 3], x[e * 3 + j]), "rows of example " + e + " differ: " + Arrays.toString(x[e * 3])
              + " vs " + Arrays.toString(x[e * 3 + j]));
        }
        if (e > 0 && !Arrays.equals(x[e * 3], x[0])) distinct++;
      }
    }
    assertEquals(4 * 8, examples);
    // The examples still get independent images (6 or 7 comparisons per executor and step, each
    // equal with probability 2^-6).
    int comparisons = examples - seen.size();
    assertTrue(distinct >= comparisons - 4, distinct + " of " + comparisons + " examples differ from the first of their executor's rows");
  }

  /**
   * Data-parallel shards draw the same per-example binarization as the single process: three
   * in-process shards of each batch of 8 under iwae(samples = 3) follow the single-process
   * trajectory up to float summation order (1e-4 after an epoch of 4 steps).
   */
  @Test
  void shardsBinarizePerExampleAsTheSingleProcessDoes(@TempDir Path dir) {
    CompiledModel m = ObjectiveTest.compile("objective = iwae(samples = 3)\n batch = 8\n binarize = dynamic\n seed = 4\n optimizer = Adam(lr = 1e-2)").compiled();
    int rows = 32, width = 6;
    float[] values = new float[rows * width];
    java.util.Random r = new java.util.Random(9);
    for (int i = 0; i < values.length; i++) values[i] = r.nextFloat();
    BoundData train = BoundData.of("x", new Dataset("train", rows, width, values, 0, 0));
    BoundData test = BoundData.of("x", new Dataset("test", 8, width, Arrays.copyOf(values, 8 * width), 0, 0));
    DataSplit d = new DataSplit(train, test);
    ModelState single = ModelState.fresh(m);
    assertTrue(new Trainer(single, d, dir.resolve("a.ckpt"), new TrainingListener() {}).train(1));
    int batch = 8;
    int[] o = vaec.runtime.train.DataParallelTrainer.split(batch, 3);
    vaec.runtime.train.GradientShard[] shards = new vaec.runtime.train.GradientShard[3];
    for (int p = 0; p < 3; p++) {
      CompiledModel own = ObjectiveTest.compile("objective = iwae(samples = 3)\n batch = 8\n binarize = dynamic\n seed = 4\n optimizer = Adam(lr = 1e-2)").compiled();
      shards[p] = new vaec.runtime.train.GradientShard(own, train, batch, o[p], o[p + 1] - o[p], m.config().seed(), true);
    }
    ModelState sharded = ModelState.fresh(m);
    assertTrue(new vaec.runtime.train.DataParallelTrainer(sharded, d, dir.resolve("b.ckpt"), new TrainingListener() {}, (params, step, perEpoch, idx) -> {
      vaec.runtime.train.GradientShard.Sum sum = vaec.runtime.train.GradientShard.Sum.empty();
      for (vaec.runtime.train.GradientShard g : shards) sum = sum.plus(g.compute(params, step, perEpoch, idx));
      return sum;
    }).train(1));
    float[] a = single.params().toFloatArray(), b = sharded.params().toFloatArray();
    float diff = 0;
    for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assertTrue(diff < 1e-4, "max |diff| " + diff);
  }
}
