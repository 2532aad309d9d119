package vaec.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.kernels.Activation;
import vaec.runtime.kernels.ConvGeometry;

/**
 * Convolution and transposed convolution, forward and backward, against a direct loop over every
 * (example, channel, position, kernel tap) in float64; agreement to 1e-10 relative to the
 * values' scale (the loops and the library sum in different orders). Shapes cover odd sizes,
 * strides 1 to 3, padding 0 to 2, and the conv VAE's own layers.
 */
class Conv2dTest {

  static Stream<Arguments> geometries() {
    return Stream.of("ND4J", "IM2COL", "IM2COL in chunks of 1-2 examples").flatMap(kern -> geometryList().map(a -> Arguments.of(a.get()[0], kern)));
  }

  /** The op for a kernels name; "in chunks" makes its column matrices hold one or two examples. */
  static Conv2d op(ConvGeometry geo, String kern) {
    if (kern.startsWith("IM2COL in chunks")) {
      int kk = (geo.transposed() ? geo.outC() : geo.inC()) * geo.kernel() * geo.kernel();
      int p = geo.transposed() ? geo.inH() * geo.inW() : geo.outH() * geo.outW();
      return new Conv2d(geo, Activation.IDENTITY, Conv2d.Kernels.IM2COL, 2L * kk * p);
    }
    return new Conv2d(geo, Activation.IDENTITY, Conv2d.Kernels.valueOf(kern));
  }

  static Stream<Arguments> geometryList() {
    return Stream.of(
        Arguments.of(new ConvGeometry(1, 5, 5, 2, 3, 1, 0, false)),
        Arguments.of(new ConvGeometry(2, 7, 5, 3, 3, 2, 1, false)),
        Arguments.of(new ConvGeometry(3, 8, 8, 2, 4, 2, 1, false)),
        Arguments.of(new ConvGeometry(2, 9, 9, 4, 3, 3, 0, false)),
        Arguments.of(new ConvGeometry(2, 6, 6, 3, 1, 1, 0, false)),
        Arguments.of(new ConvGeometry(1, 28, 28, 4, 4, 2, 1, false)),
        Arguments.of(new ConvGeometry(2, 3, 3, 3, 3, 1, 0, true)),
        Arguments.of(new ConvGeometry(3, 4, 5, 2, 4, 2, 1, true)),
        Arguments.of(new ConvGeometry(2, 3, 3, 2, 3, 3, 2, true)),
        Arguments.of(new ConvGeometry(4, 7, 7, 1, 4, 2, 1, true)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("geometries")
  void forwardAndBackwardMatchDirectLoops(ConvGeometry geo, String kern) {
    int batch = 3;
    Random r = new Random(7);
    double[] x = gaussian(r, batch * geo.inWidth());
    long[] ws = geo.weightShape();
    double[] w = gaussian(r, (int) (ws[0] * ws[1]));
    double[] b = gaussian(r, geo.outC());
    double[] gOut = gaussian(r, batch * geo.outWidth());

    Conv2d op = op(geo, kern);
    INDArray[] in = {Nd4j.createFromArray(x).reshape(batch, geo.inWidth()), Nd4j.createFromArray(w).reshape(ws),
        Nd4j.createFromArray(b)};
    INDArray out = Nd4j.create(DataType.DOUBLE, batch, geo.outWidth());
    INDArray[] scratch = scratch(op, batch);
    op.forward(in, out, scratch);

    double[] yRef = new double[batch * geo.outWidth()];
    double[] dx = new double[x.length], dw = new double[w.length], db = new double[b.length];
    direct(geo, batch, x, w, b, yRef, gOut, dx, dw, db);
    assertClose(yRef, out.dup().data().asDouble(), "forward");

    INDArray[] gIn = {Nd4j.create(DataType.DOUBLE, batch, geo.inWidth()).assign(99), Nd4j.create(DataType.DOUBLE, ws).assign(99),
        Nd4j.create(DataType.DOUBLE, geo.outC()).assign(99)};
    op.backward(in, out, Nd4j.createFromArray(gOut).reshape(batch, geo.outWidth()), gIn, scratch);
    assertClose(dx, gIn[0].dup().data().asDouble(), "d/dx");
    assertClose(dw, gIn[1].dup().data().asDouble(), "d/dW");
    assertClose(db, gIn[2].dup().data().asDouble(), "d/db");
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"ND4J", "IM2COL", "IM2COL in chunks of 1-2 examples"})
  void stridedViewsAsOutputAndGradientsAreWrittenInPlace(String kern) {
    ConvGeometry geo = new ConvGeometry(2, 4, 4, 3, 3, 1, 1, false);
    int batch = 3;
    Random r = new Random(3);
    double[] x = gaussian(r, batch * geo.inWidth());
    double[] w = gaussian(r, 3 * 18);
    double[] b = gaussian(r, 3);
    double[] gOut = gaussian(r, batch * geo.outWidth());
    Conv2d op = op(geo, kern);
    INDArray wideX = Nd4j.create(DataType.DOUBLE, batch, geo.inWidth() + 5);
    INDArray xv = wideX.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 2 + geo.inWidth()));
    xv.assign(Nd4j.createFromArray(x).reshape(batch, geo.inWidth()));
    INDArray wideOut = Nd4j.create(DataType.DOUBLE, batch, geo.outWidth() + 4);
    INDArray outV = wideOut.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 1 + geo.outWidth()));
    INDArray[] in = {xv, Nd4j.createFromArray(w).reshape(3, 18), Nd4j.createFromArray(b)};
    INDArray[] scratch = scratch(op, batch);
    op.forward(in, outV, scratch);
    double[] yRef = new double[batch * geo.outWidth()];
    double[] dx = new double[x.length], dw = new double[w.length], db = new double[b.length];
    direct(geo, batch, x, w, b, yRef, gOut, dx, dw, db);
    assertClose(yRef, outV.dup('c').data().asDouble(), "forward into a view");
    assertEquals(0.0, wideOut.getDouble(0, 0));
    INDArray wideGx = Nd4j.create(DataType.DOUBLE, batch, geo.inWidth() + 3);
    INDArray gx = wideGx.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 3 + geo.inWidth()));
    INDArray[] gIn = {gx, Nd4j.create(DataType.DOUBLE, 3, 18), Nd4j.create(DataType.DOUBLE, 3)};
    op.backward(in, outV, Nd4j.createFromArray(gOut).reshape(batch, geo.outWidth()), gIn, scratch);
    assertClose(dx, gx.dup('c').data().asDouble(), "d/dx into a view");
    assertEquals(0.0, wideGx.getDouble(0, 0));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Conv2d.Kernels.class)
  void noInputGradientAskedLeavesParameterGradientsRight(Conv2d.Kernels kern) {
    ConvGeometry geo = new ConvGeometry(1, 6, 6, 2, 4, 2, 1, false);
    int batch = 2;
    Random r = new Random(11);
    double[] x = gaussian(r, batch * geo.inWidth()), w = gaussian(r, 2 * 16), b = gaussian(r, 2);
    double[] gOut = gaussian(r, batch * geo.outWidth());
    Conv2d op = new Conv2d(geo, Activation.IDENTITY, kern);
    INDArray[] in = {Nd4j.createFromArray(x).reshape(batch, geo.inWidth()), Nd4j.createFromArray(w).reshape(2, 16), Nd4j.createFromArray(b)};
    INDArray out = Nd4j.create(DataType.DOUBLE, batch, geo.outWidth());
    INDArray[] scratch = scratch(op, batch);
    op.forward(in, out, scratch);
    INDArray[] gIn = {null, Nd4j.create(DataType.DOUBLE, 2, 16), Nd4j.create(DataType.DOUBLE, 2)};
    op.backward(in, out, Nd4j.createFromArray(gOut).reshape(batch, geo.outWidth()), gIn, scratch);
    double[] y = new double[batch * geo.outWidth()], dx = new double[x.length], dw = new double[w.length], db = new double[2];
    direct(geo, batch, x, w, b, y, gOut, dx, dw, db);
    assertNull(gIn[0]);
    assertClose(dw, gIn[1].dup().data().asDouble(), "d/dW");
    assertClose(db, gIn[2].dup().data().asDouble(), "d/db");
  }

  @Test
  void geometryRejectsEmptyAndFractionalOutputsWithTheNumbers() {
    assertTrue(ConvGeometry.problem(1, 28, 28, 8, 3, 2, 0, false).contains("do not tile a 28x28 image"));
    assertTrue(ConvGeometry.problem(1, 2, 2, 8, 5, 1, 1, false).contains("does not fit in a 2x2 image"));
    assertTrue(ConvGeometry.problem(1, 1, 1, 8, 1, 1, 1, true).contains("empty image (-1x-1)"));
    assertNull(ConvGeometry.problem(1, 28, 28, 32, 4, 2, 1, false));
    assertEquals(14, new ConvGeometry(1, 28, 28, 32, 4, 2, 1, false).outH());
    assertEquals(28, new ConvGeometry(32, 14, 14, 1, 4, 2, 1, true).outW());
    assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 28, 28, 0, 4, 2, 1, false));
  }

  static INDArray[] scratch(Conv2d op, int batch) {
    int[] sw = op.scratchWidths(null);
    INDArray[] s = new INDArray[sw.length];
    for (int i = 0; i < sw.length; i++) s[i] = Nd4j.create(DataType.DOUBLE, batch, sw[i]);
    return s;
  }

  /** y = conv(x, w) + b and the gradients of sum(gOut * y), by loops over every term. */
  static void direct(ConvGeometry g, int batch, double[] x, double[] w, double[] b, double[] y, double[] gOut,
                     double[] dx, double[] dw, double[] db) {
    int C = g.inC(), H = g.inH(), W = g.inW(), O = g.outC(), OH = g.outH(), OW = g.outW(), k = g.kernel(), s = g.stride(), p = g.padding();
    for (int n = 0; n < batch; n++) {
      for (int o = 0; o < O; o++) {
        for (int i = 0; i < OH * OW; i++) {
          y[(n * O + o) * OH * OW + i] += b[o];
          db[o] += gOut[(n * O + o) * OH * OW + i];
        }
      }
      for (int c = 0; c < C; c++) {
        for (int o = 0; o < O; o++) {
          for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
              // A convolution reads input (i s - p + u, j s - p + v) into output (i, j); a
              // transposed one writes input (i, j) into output (i s - p + u, j s - p + v).
              int wi = g.transposed() ? ((c * O + o) * k + u) * k + v : ((o * C + c) * k + u) * k + v;
              int ih = g.transposed() ? H : OH, iw = g.transposed() ? W : OW;
              int lh = g.transposed() ? OH : H, lw = g.transposed() ? OW : W;
              for (int i = 0; i < ih; i++) {
                for (int j = 0; j < iw; j++) {
                  int a = i * s - p + u, bb = j * s - p + v;
                  if (a < 0 || bb < 0 || a >= lh || bb >= lw) continue;
                  int xi, yi;
                  if (g.transposed()) {
                    xi = ((n * C + c) * H + i) * W + j;
                    yi = ((n * O + o) * OH + a) * OW + bb;
                  } else {
                    xi = ((n * C + c) * H + a) * W + bb;
                    yi = ((n * O + o) * OH + i) * OW + j;
                  }
                  y[yi] += w[wi] * x[xi];
                  dx[xi] += w[wi] * gOut[yi];
                  dw[wi] += x[xi] * gOut[yi];
                }
              }
            }
          }
        }
      }
    }
  }

  static double[] gaussian(Random r, int n) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) a[i] = r.nextGaussian();
    return a;
  }

  static void assertClose(double[] want, double[] got, String what) {
    assertEquals(want.length, got.length, what + ": length");
    double scale = 1;
    for (double v : want) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < want.length; i++) {
      assertTrue(Math.abs(want[i] - got[i]) <= 1e-10 * scale, what + "[" + i + "]: want " + want[i] + " got " + got[i]);
    }
  }
}
