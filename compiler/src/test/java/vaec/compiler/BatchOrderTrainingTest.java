package vaec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import vaec.runtime.train.BatchOrder;
import vaec.runtime.train.DataParallelTrainer;
import vaec.runtime.train.GradientShard;
import vaec.runtime.train.ModelState;
import vaec.runtime.train.SeededShuffle;
import vaec.runtime.train.Trainer;
import vaec.runtime.train.TrainingListener;

/**
 * The trainers take their rows from the {@link BatchOrder} they are handed: the single-process
 * trainer and the data-parallel one cut their batches in turn from each epoch's order (the last
 * incomplete batch dropped), by default the one {@link BatchOrder#of} chooses, a
 * {@link SeededShuffle} of the training rows; another order is one class handed to them.
 */
class BatchOrderTrainingTest {
  static final int ROWS = 18, BATCH = 4, WIDTH = 6;

  static CompiledModel model() {
    return ObjectiveTest.compile("batch = " + BATCH + "\n seed = 3\n binarize = none").compiled();
  }

  /** Row r holds (r + 0.5) / ROWS in every column, so a gathered batch names its rows. */
  static DataSplit data() {
    float[] v = new float[ROWS * WIDTH];
    for (int r = 0; r < ROWS; r++) Arrays.fill(v, r * WIDTH, (r + 1) * WIDTH, (r + 0.5f) / ROWS);
    float[] t = Arrays.copyOf(v, 4 * WIDTH);
    return new DataSplit(BoundData.of("x", new Dataset("train", ROWS, WIDTH, v, 0, 0)), BoundData.of("x", new Dataset("test", 4, WIDTH, t, 0, 0)));
  }

  /** An order that remembers the seeds it was asked with. */
  static final class Recording implements BatchOrder {
    final BatchOrder inner;
    final List<Long> seeds = new ArrayList<>();

    Recording(BatchOrder inner) { this.inner = inner; }

    @Override public int length() { return inner.length(); }

    @Override public int[] epoch(long seed) {
      seeds.add(seed);
      return inner.epoch(seed);
    }
  }

  /** Every row index the trainer gathered, in the order of its steps. */
  static List<Integer> rowsVisited(Trainer t, int epochs) {
    List<Integer> seen = new ArrayList<>();
    t.batchHalves(false);
    t.afterGather(ex -> {
      INDArray x = ex.input("x");
      for (int r = 0; r < x.rows(); r++) seen.add(Math.round(x.getFloat(r, 0) * ROWS - 0.5f));
    });
    assertTrue(t.train(epochs));
    return seen;
  }

  /** The rows an epoch of {@code order} visits in whole batches, epoch after epoch, asked with {@code seeds}. */
  static List<Integer> expected(BatchOrder order, List<Long> seeds) {
    List<Integer> out = new ArrayList<>();
    for (long seed : seeds) {
      int[] e = order.epoch(seed);
      for (int i = 0; i < e.length / BATCH * BATCH; i++) out.add(e[i]);
    }
    return out;
  }

  @Test
  void theTrainerVisitsTheRowsOfItsBatchOrderAndByDefaultTheSeededShuffle(@TempDir Path dir) {
    CompiledModel m = model();
    DataSplit d = data();
    assertEquals(new SeededShuffle(ROWS), BatchOrder.of(m, d.train()));

    Recording order = new Recording(BatchOrder.of(m, d.train()));
    ModelState handed = ModelState.fresh(m);
    List<Integer> seen = rowsVisited(new Trainer(handed, d, dir.resolve("a.vaeckpt"), new TrainingListener() {}, order), 2);
    assertEquals(2, order.seeds.size());
    assertTrue(!order.seeds.get(0).equals(order.seeds.get(1)), "each epoch asks with its own seed: " + order.seeds);
    assertEquals(2 * 16, seen.size(), "4 batches of 4 per epoch; the last 2 of 18 rows dropped");
    assertEquals(expected(new SeededShuffle(ROWS), order.seeds), seen);

    // The default trainer chooses the same order: the same rows, the same parameters to the bit.
    ModelState byDefault = ModelState.fresh(m);
    assertEquals(seen, rowsVisited(new Trainer(byDefault, d, dir.resolve("b.vaeckpt"), new TrainingListener() {}), 2));
    assertArrayEquals(handed.params().toFloatArray(), byDefault.params().toFloatArray());

    // Another order is one class: here the first 8 rows backwards, every epoch.
    BatchOrder backwards = new BatchOrder() {
      @Override public int length() { return 8; }

      @Override public int[] epoch(long seed) { return new int[] {7, 6, 5, 4, 3, 2, 1, 0}; }
    };
    List<Integer> walked = rowsVisited(new Trainer(ModelState.fresh(m), d, dir.resolve("c.vaeckpt"), new TrainingListener() {}, backwards), 2);
    assertEquals(List.of(7, 6, 5, 4, 3, 2, 1, 0, 7, 6, 5, 4, 3, 2, 1, 0), walked);
  }

  @Test
  void theDataParallelTrainerSendsTheBatchesOfItsBatchOrderAsTheTrainerGathersThem(@TempDir Path dir) {
    CompiledModel m = model();
    DataSplit d = data();
    List<Integer> single = rowsVisited(new Trainer(ModelState.fresh(m), d, dir.resolve("s.vaeckpt"), new TrainingListener() {}), 2);

    for (boolean handed : new boolean[] {false, true}) {
      Recording order = new Recording(new SeededShuffle(ROWS));
      ModelState s = ModelState.fresh(m);
      long params = s.params().values().length();
      List<Integer> sent = new ArrayList<>();
      DataParallelTrainer.GradientService service = (p, step, perEpoch, idx) -> {
        assertEquals(BATCH, idx.length);
        for (int i : idx) sent.add(i);
        return new GradientShard.Sum(new float[(int) params], new double[m.terms().size()], (long) idx.length * m.samples(), null);
      };
      DataParallelTrainer t = handed
          ? new DataParallelTrainer(s, d, dir.resolve("p" + handed + ".vaeckpt"), new TrainingListener() {}, service, 1, order)
          : new DataParallelTrainer(s, d, dir.resolve("p" + handed + ".vaeckpt"), new TrainingListener() {}, service);
      assertTrue(t.train(2));
      assertEquals(single, sent, handed ? "handed the seeded shuffle" : "by default");
      if (handed) assertEquals(expected(new SeededShuffle(ROWS), order.seeds), sent);
    }
  }
}
