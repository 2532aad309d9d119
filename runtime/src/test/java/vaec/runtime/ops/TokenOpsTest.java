package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.Vocabulary;

/** The token ops on hand-made values: shifting and word dropout, the padding mask, and a masked log-likelihood. */
class TokenOpsTest {
  @Test
  void theDecoderReadsTheSequenceShiftedWithWordDropoutSparingBeginAndPadding() {
    TokenEmbed e = new TokenEmbed(5, 9, 2, true, 0.5);
    double[] ids = {5, 6, 7, 2, 0};
    assertArrayEquals(new int[] {1, 5, 6, 7, 2}, e.inputIds(ids, new double[] {0.9, 0.9, 0.9, 0.9, 0.9}, 1));
    // noise below 0.5 at positions 0 and 2 drops the tokens read at steps 1 and 3; step 0 reads begin
    assertArrayEquals(new int[] {1, Vocabulary.UNK, 6, Vocabulary.UNK, 2}, e.inputIds(ids, new double[] {0.1, 0.9, 0.2, 0.9, 0.9}, 1));
    // padding read after the end is never replaced
    assertArrayEquals(new int[] {1, 5, 2, 0, 0}, e.inputIds(new double[] {5, 2, 0, 0, 0}, new double[] {0.9, 0.9, 0.1, 0.1, 0.1}, 1));
    // an encoder reads the sequence as it is
    assertArrayEquals(new int[] {5, 6, 7, 2, 0}, new TokenEmbed(5, 9, 2, false, 0).inputIds(ids, null, 1));
  }

  @Test
  void paddingNeverCountsInTheLikelihood() {
    int len = 3, v = 5;
    INDArray ids = Nd4j.createFromArray(new double[][] {{4, 2, 0}, {4, 4, 2}});
    double[] l = new double[2 * len * v];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < l.length; i++) l[i] = r.nextGaussian();
    TokenLogProb op = new TokenLogProb(len, v);
    INDArray out = Nd4j.create(DataType.DOUBLE, 2, 1);
    INDArray[] scratch = {Nd4j.create(DataType.DOUBLE, 2, len * v)};
    op.forward(new INDArray[] {ids, Nd4j.createFromArray(l).reshape(2, len * v)}, out, scratch);
    double expected0 = 0;
    for (int t = 0; t < 2; t++) {
      int tok = t == 0 ? 4 : 2;
      double z = 0;
      for (int k = 0; k < v; k++) z += Math.exp(l[t * v + k]);
      expected0 += l[t * v + tok] - Math.log(z);
    }
    assertEquals(expected0, out.getDouble(0, 0), 1e-12);
    // changing the padded position's logits changes nothing; its gradient is zero
    double before = out.getDouble(0, 0);
    for (int k = 0; k < v; k++) l[2 * v + k] += 10 * k;
    op.forward(new INDArray[] {ids, Nd4j.createFromArray(l).reshape(2, len * v)}, out, scratch);
    assertEquals(before, out.getDouble(0, 0), 1e-12);
    INDArray g = Nd4j.create(DataType.DOUBLE, 2, len * v);
    op.backward(new INDArray[] {ids, Nd4j.createFromArray(l).reshape(2, len * v)}, out, Nd4j.ones(DataType.DOUBLE, 2, 1),
        new INDArray[] {null, g}, scratch);
    for (int k = 0; k < v; k++) assertEquals(0.0, g.getDouble(0, 2 * v + k));
  }

  @Test
  void theMaskMarksTokensAndItsMeanFormDividesByTheLength() {
    INDArray ids = Nd4j.createFromArray(new double[][] {{4, 2, 0, 0}, {4, 5, 6, 2}});
    INDArray out = Nd4j.create(DataType.DOUBLE, 2, 3);
    new TokenMask(2, 3, false).forward(new INDArray[] {ids}, out, new INDArray[0]);
    assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1}, out.data().asDouble(), 0);
    new TokenMask(1, 3, true).forward(new INDArray[] {ids}, out, new INDArray[0]);
    assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.25, 0.25, 0.25}, out.data().asDouble(), 1e-12);
  }
}
