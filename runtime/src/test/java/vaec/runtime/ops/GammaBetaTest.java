package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.SpecialFunctions;

/** The Gamma and Beta densities, their gradients, their samplers, and the special functions. */
class GammaBetaTest {
  @Test
  void specialFunctionsMatchKnownValues() {
    assertEquals(0.0, SpecialFunctions.lgamma(1), 1e-12);
    assertEquals(Math.log(24), SpecialFunctions.lgamma(5), 1e-12);
    assertEquals(0.5 * Math.log(Math.PI), SpecialFunctions.lgamma(0.5), 1e-12);
    assertEquals(-0.5772156649015329, SpecialFunctions.digamma(1), 1e-10);           // -Euler's constant
    assertEquals(-0.5772156649015329 - 2 * Math.log(2), SpecialFunctions.digamma(0.5), 1e-10);
    assertEquals(1.5061176684318005, SpecialFunctions.digamma(5), 1e-10);
  }

  static INDArray row(double... v) { return Nd4j.createFromArray(v).reshape(1, v.length); }

  static double value(Op op, INDArray... in) {
    INDArray out = Nd4j.create(DataType.DOUBLE, 1, 1);
    op.forward(in, out, new INDArray[0]);
    return out.getDouble(0);
  }

  @Test
  void densitiesMatchClosedFormsAndFiniteDifferences() {
    // Gamma(x = 1.7; alpha 2.5, rate 1.5) and Beta(x = 0.3; 2, 5) against direct formulas.
    double gx = 1.7, ga = 2.5, gb = 1.5;
    double gamma = ga * Math.log(gb) + (ga - 1) * Math.log(gx) - gb * gx - SpecialFunctions.lgamma(ga);
    assertEquals(gamma, value(new GammaLogProb(), row(gx), row(ga), row(gb)), 1e-12);
    assertEquals(Math.log(30 * 0.3 * Math.pow(0.7, 4)), value(new BetaLogProb(), row(0.3), row(2), row(5)), 1e-10);   // B(2,5) = 1/30

    for (Op op : new Op[] {new GammaLogProb(), new BetaLogProb()}) {
      double[] p = op instanceof GammaLogProb ? new double[] {gx, ga, gb} : new double[] {0.3, 2, 5};
      INDArray[] in = {row(p[0]), row(p[1]), row(p[2])};
      INDArray[] grads = {Nd4j.create(DataType.DOUBLE, 1, 1), Nd4j.create(DataType.DOUBLE, 1, 1), Nd4j.create(DataType.DOUBLE, 1, 1)};
      op.backward(in, null, row(1.0), grads, new INDArray[0]);
      for (int k = 0; k < 3; k++) {
        double h = 1e-6;
        INDArray[] up = in.clone();
        INDArray[] down = in.clone();
        up[k] = row(p[k] + h);
        down[k] = row(p[k] - h);
        double numeric = (value(op, up) - value(op, down)) / (2 * h);
        assertEquals(numeric, grads[k].getDouble(0), 1e-6, op.describe() + " input " + k);
      }
    }
  }

  @Test
  void samplersHaveTheRightMoments() {
    int n = 100_000;
    INDArray u = Nd4j.rand(DataType.DOUBLE, n, 1);
    Nd4j.getRandom().setSeed(7);
    double[][] cases = {{2.5, 1.5}, {0.4, 2.0}};
    for (double[] c : cases) {
      INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
      new GammaBetaSample(GammaBetaSample.Kind.GAMMA).forward(new INDArray[] {Nd4j.valueArrayOf(new long[] {n, 1}, c[0], DataType.DOUBLE),
          Nd4j.valueArrayOf(new long[] {n, 1}, c[1], DataType.DOUBLE), u}, out, new INDArray[0]);
      double mean = c[0] / c[1];
      double sd = Math.sqrt(c[0]) / c[1];
      // Sample mean within 5 standard errors of alpha / beta; sample variance within 5% of alpha / beta^2.
      assertEquals(mean, out.meanNumber().doubleValue(), 5 * sd / Math.sqrt(n), "Gamma mean " + c[0] + ", " + c[1]);
      assertEquals(sd * sd, out.varNumber().doubleValue(), 0.05 * sd * sd, "Gamma variance");
    }
    INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
    new GammaBetaSample(GammaBetaSample.Kind.BETA).forward(new INDArray[] {Nd4j.valueArrayOf(new long[] {n, 1}, 2.0, DataType.DOUBLE),
        Nd4j.valueArrayOf(new long[] {n, 1}, 5.0, DataType.DOUBLE), u}, out, new INDArray[0]);
    double sd = Math.sqrt(2.0 * 5 / (49 * 8));
    assertEquals(2.0 / 7, out.meanNumber().doubleValue(), 5 * sd / Math.sqrt(n), "Beta mean");
    assertEquals(sd * sd, out.varNumber().doubleValue(), 0.05 * sd * sd, "Beta variance");
  }
}
