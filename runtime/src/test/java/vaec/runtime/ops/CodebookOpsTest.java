package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The codebook ops against direct computations (values channels first: column j * positions + p is
 * component j of position p's vector): the nearest code by brute force, the lookup and
 * its codebook gradient by the sum over the positions that chose each code, the perplexity by its
 * definition, and the EMA codebook update and dead-code restart by a hand computation over three
 * steps.
 */
class CodebookOpsTest {
  static final int P = 5;
  static final int D = 3;
  static final int K = 7;
  static final int B = 4;

  static INDArray random(Random r, DataType t, int rows, int cols, double scale) {
    INDArray a = Nd4j.create(t, rows, cols);
    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) a.putScalar(i, j, r.nextGaussian() * scale);
    return a;
  }

  static int bruteNearest(INDArray z, int row, int p, INDArray book) {
    int best = -1;
    double bestD = Double.POSITIVE_INFINITY;
    for (int k = 0; k < book.rows(); k++) {
      double d = 0;
      for (int j = 0; j < book.columns(); j++) {
        double v = z.getDouble(row, j * P + p) - book.getDouble(k, j);
        d += v * v;
      }
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best;
  }

  static INDArray nearest(INDArray z, INDArray book) {
    NearestCode op = new NearestCode(P, D, K);
    INDArray out = Nd4j.create(z.dataType(), z.rows(), P);
    INDArray[] s = {Nd4j.create(z.dataType(), z.rows(), P * K), Nd4j.create(z.dataType(), z.rows(), P * D)};
    op.forward(new INDArray[] {z, book}, out, s);
    return out;
  }

  @Test
  void nearestCodeMatchesBruteForceInBothPrecisions() {
    for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Random r = new Random(3);
      for (int trial = 0; trial < 20; trial++) {
        INDArray z = random(r, t, B, P * D, 1.0);
        INDArray book = random(r, t, K, D, 1.0);
        INDArray idx = nearest(z, book);
        for (int b = 0; b < B; b++) {
          for (int p = 0; p < P; p++) assertEquals(bruteNearest(z, b, p, book), idx.getInt(b, p), t + " trial " + trial + " row " + b + " position " + p);
        }
      }
    }
  }

  @Test
  void nearestCodeReadsStridedInputsAndBreaksTiesTowardTheFirstCode() {
    Random r = new Random(4);
    INDArray wide = random(r, DataType.DOUBLE, B, P * D + 4, 1.0);
    INDArray z = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 2 + P * D));
    INDArray book = random(r, DataType.DOUBLE, K, D, 1.0);
    INDArray idx = nearest(z, book);
    for (int b = 0; b < B; b++) for (int p = 0; p < P; p++) assertEquals(bruteNearest(z.dup(), b, p, book), idx.getInt(b, p));
    // Two equal codes: the first wins.
    INDArray twins = book.dup();
    twins.getRow(5).assign(twins.getRow(2));
    INDArray at = Nd4j.create(DataType.DOUBLE, 1, P * D);
    for (int p = 0; p < P; p++) for (int j = 0; j < D; j++) at.putScalar(0, j * P + p, twins.getDouble(2, j));
    INDArray one = nearest(at, twins);
    for (int p = 0; p < P; p++) assertEquals(2, one.getInt(0, p));
  }

  @Test
  void lookupCopiesCodesAndItsGradientSumsOverThePositionsThatChoseEachCode() {
    Random r = new Random(5);
    INDArray book = random(r, DataType.DOUBLE, K, D, 1.0);
    INDArray idx = Nd4j.create(DataType.DOUBLE, B, P);
    for (int b = 0; b < B; b++) for (int p = 0; p < P; p++) idx.putScalar(b, p, r.nextInt(K - 1));   // code K-1 unused
    CodeLookup op = new CodeLookup(P, D, K);
    INDArray out = Nd4j.create(DataType.DOUBLE, B, P * D);
    INDArray[] s = {Nd4j.create(DataType.DOUBLE, B, P * K)};
    op.forward(new INDArray[] {idx, book}, out, s);
    for (int b = 0; b < B; b++) {
      for (int p = 0; p < P; p++) for (int j = 0; j < D; j++) assertEquals(book.getDouble(idx.getInt(b, p), j), out.getDouble(b, j * P + p));
    }
    INDArray g = random(r, DataType.DOUBLE, B, P * D, 1.0);
    INDArray gBook = Nd4j.create(DataType.DOUBLE, K, D).assign(99);   // holds nothing meaningful on entry
    op.backward(new INDArray[] {idx, book}, out, g, new INDArray[] {null, gBook}, s);
    double[][] expected = new double[K][D];
    for (int b = 0; b < B; b++) for (int p = 0; p < P; p++) for (int j = 0; j < D; j++) expected[idx.getInt(b, p)][j] += g.getDouble(b, j * P + p);
    for (int k = 0; k < K; k++) for (int j = 0; j < D; j++) assertEquals(expected[k][j], gBook.getDouble(k, j), 1e-12, "code " + k);
    for (int j = 0; j < D; j++) assertEquals(0.0, gBook.getDouble(K - 1, j));
  }

  @Test
  void perplexityIsTheExponentialOfTheCodeEntropy() {
    assertEquals(1.0, CodePerplexity.perplexity(new double[] {0, 12, 0}), 1e-12);
    assertEquals(4.0, CodePerplexity.perplexity(new double[] {3, 3, 3, 3, 0}), 1e-12);
    double h = -(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25));
    assertEquals(Math.exp(h), CodePerplexity.perplexity(new double[] {2, 1, 1}), 1e-12);
    INDArray idx = Nd4j.createFromArray(new double[][] {{0, 1}, {0, 2}});
    INDArray out = Nd4j.create(DataType.DOUBLE, 2, 1);
    new CodePerplexity(4).forward(new INDArray[] {idx}, out, new INDArray[] {Nd4j.create(DataType.DOUBLE, 2, 4)});
    assertEquals(Math.exp(h), out.getDouble(0, 0), 1e-12);
    assertEquals(Math.exp(h), out.getDouble(1, 0), 1e-12);
  }

  /**
   * Three EMA steps on 2 positions of width 2, 3 codes, against the update written out by hand
   * (van den Oord et al. 2017, appendix A.1, with the zero start's bias corrected); code 2 is never
   * chosen and keeps its initial vector.
   */
  @Test
  void emaUpdateMatchesAHandComputationOverThreeSteps() {
    int p = 2, d = 2, k = 3;
    double decay = 0.9, eps = 0.01;
    CodebookUpdate op = new CodebookUpdate(p, d, k, true, decay, eps, 0);
    INDArray book = Nd4j.createFromArray(new double[][] {{0, 0}, {1, 1}, {5, 5}});
    INDArray count = Nd4j.create(DataType.DOUBLE, k);
    INDArray sum = Nd4j.create(DataType.DOUBLE, k, d);
    INDArray steps = Nd4j.create(DataType.DOUBLE, 1);
    double[][][] zs = {
        {{0.1, 0.2, 0.9, 1.1}, {0.3, -0.1, 1.2, 0.8}},
        {{-0.2, 0.4, 0.5, 0.5}, {1.0, 1.0, 0.0, 0.1}},
        {{0.2, 0.2, 0.2, 0.2}, {1.5, 1.5, 1.4, 1.6}}};
    double[][] hn = new double[k][1];
    double[][] hs = new double[k][d];
    double[][] e = {{0, 0}, {1, 1}, {5, 5}};
    for (int t = 1; t <= 3; t++) {
      INDArray z = Nd4j.createFromArray(zs[t - 1]);
      // the codes the nearest-code op would choose, from the current codebook
      INDArray idx = Nd4j.create(DataType.DOUBLE, 2, p);
      double[] n = new double[k];
      double[][] s = new double[k][d];
      for (int b = 0; b < 2; b++) {
        for (int q = 0; q < p; q++) {
          int best = -1;
          double bestD = Double.POSITIVE_INFINITY;
          for (int c = 0; c < k; c++) {
            double dd = 0;
            for (int j = 0; j < d; j++) dd += Math.pow(zs[t - 1][b][j * p + q] - e[c][j], 2);
            if (dd < bestD) { bestD = dd; best = c; }
          }
          idx.putScalar(b, q, best);
          n[best]++;
          for (int j = 0; j < d; j++) s[best][j] += zs[t - 1][b][j * p + q];
        }
      }
      op.afterTrainingStep(new INDArray[] {z, idx, book, count, sum, steps}, Nd4j.create(DataType.DOUBLE, 2, 1));
      double corr = 1 - Math.pow(decay, t);
      double total = 0;
      for (int c = 0; c < k; c++) {
        hn[c][0] = decay * hn[c][0] + (1 - decay) * n[c];
        for (int j = 0; j < d; j++) hs[c][j] = decay * hs[c][j] + (1 - decay) * s[c][j];
        total += hn[c][0] / corr;
      }
      for (int c = 0; c < k; c++) {
        if (hn[c][0] == 0) continue;
        double smoothed = (hn[c][0] / corr + eps) / (total + k * eps) * total;
        for (int j = 0; j < d; j++) e[c][j] = hs[c][j] / corr / smoothed;
      }
      for (int c = 0; c < k; c++) {
        assertEquals(hn[c][0], count.getDouble(c), 1e-12, "count, step " + t);
        for (int j = 0; j < d; j++) {
          assertEquals(hs[c][j], sum.getDouble(c, j), 1e-12, "sum, step " + t);
          assertEquals(e[c][j], book.getDouble(c, j), 1e-12, "code " + c + ", step " + t);
        }
      }
      assertEquals(t, steps.getDouble(0));
    }
    assertArrayEquals(new double[] {5, 5}, book.getRow(2).toDoubleVector());
    // the codes that were chosen moved off their start
    assertTrue(Math.abs(book.getDouble(0, 0)) > 0.1 && Math.abs(book.getDouble(1, 1) - 1) > 0.1, book.toString());
  }

  /** A code unused for the given number of steps moves onto the batch's encoder output farthest from its code. */
  @Test
  void deadCodesRestartAtTheFarthestEncoderOutputs() {
    int p = 2, d = 2, k = 3;
    CodebookUpdate op = new CodebookUpdate(p, d, k, false, 0, 0, 2);
    INDArray book = Nd4j.createFromArray(new double[][] {{0, 0}, {1, 1}, {9, 9}});
    INDArray age = Nd4j.create(DataType.DOUBLE, k);
    INDArray z = Nd4j.createFromArray(new double[][] {{0.1, 1.0, 0.0, 1.2}, {3.0, 0.9, 3.0, 1.0}});
    INDArray idx = Nd4j.createFromArray(new double[][] {{0, 1}, {1, 1}});
    INDArray out = Nd4j.create(DataType.DOUBLE, 2, 1);
    op.afterTrainingStep(new INDArray[] {z, idx, book, age}, out);
    assertArrayEquals(new double[] {0, 0, 1}, age.toDoubleVector());
    assertArrayEquals(new double[] {9, 9}, book.getRow(2).toDoubleVector());
    op.afterTrainingStep(new INDArray[] {z, idx, book, age}, out);
    // code 2 reached 2 unused steps: it restarts at (3, 3), the output farthest from its code (1, 1)
    assertArrayEquals(new double[] {3, 3}, book.getRow(2).toDoubleVector());
    assertArrayEquals(new double[] {0, 0, 0}, age.toDoubleVector());
    assertArrayEquals(new double[] {0, 0}, book.getRow(0).toDoubleVector());
  }
}
