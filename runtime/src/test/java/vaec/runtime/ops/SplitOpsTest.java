package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.kernels.Parallel;

/**
 * Ops that run big buffers as two row halves on two threads: results against a direct double
 * computation on buffers large enough to take that path (the gradient checks use tiny ones).
 */
class SplitOpsTest {
  @Test
  void bernoulliLogDensityAndGradientInHalves() {
    int b = 128, w = 784;
    assertTrue((long) b * w >= Parallel.SPLIT_ELEMENTS);
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.FLOAT, b, w);
    INDArray l = Nd4j.randn(DataType.FLOAT, b, w).muli(3);
    INDArray g = Nd4j.rand(DataType.FLOAT, b, 1);
    BernoulliLogitsLogProb op = new BernoulliLogitsLogProb();
    INDArray[] scratch = {Nd4j.create(DataType.FLOAT, b, w), Nd4j.create(DataType.FLOAT, b, w)};
    INDArray out = Nd4j.create(DataType.FLOAT, b, 1);
    INDArray gl = Nd4j.create(DataType.FLOAT, b, w);
    for (int rep = 0; rep < 3; rep++) {   // the cached halves must serve every step
      op.forward(new INDArray[] {x, l}, out, scratch);
      op.backward(new INDArray[] {x, l}, out, g, new INDArray[] {null, gl}, scratch);
    }
    float[][] xs = x.toFloatMatrix(), ls = l.toFloatMatrix(), gls = gl.toFloatMatrix();
    for (int i = 0; i < b; i++) {
      double sum = 0;
      for (int j = 0; j < w; j++) {
        double li = ls[i][j];
        sum += xs[i][j] * li - (Math.max(li, 0) + Math.log1p(Math.exp(-Math.abs(li))));
        double grad = g.getDouble(i, 0) * (xs[i][j] - 1 / (1 + Math.exp(-li)));
        assertEquals(grad, gls[i][j], 1e-5, "gradient " + i + "," + j);
      }
      assertEquals(sum, out.getDouble(i, 0), 1e-3 * Math.max(1, Math.abs(sum)), "row " + i);
    }
  }
}
