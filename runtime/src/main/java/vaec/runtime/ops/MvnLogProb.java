package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * log N(x; loc, L L^T) per example, inputs (x, loc, packed scale t), L as in {@link ScaleTril}:
 * -|y|^2 / 2 - log |det L| - D log(2 pi) / 2 with L y = x - loc. Backward, with v = L^-T y:
 * d/dx = -v, d/dloc = v, d/dL[i,j] = v_i y_j (and -1 per diagonal's log-determinant).
 */
public final class MvnLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    int d = in.get(0).width();
    if (in.get(1).width() != d || in.get(2).width() != ScaleTril.packedWidth(d)) {
      throw new IllegalArgumentException("mvn log prob: widths " + in);
    }
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] x = HostMatrix.flat(in[0]), loc = HostMatrix.flat(in[1]), t = HostMatrix.flat(in[2]);
    int d = (int) in[0].columns();
    int tw = ScaleTril.packedWidth(d);
    int n = x.length / d;
    double[] lp = new double[n];
    for (int b = 0; b < n; b++) {
      double[][] l = ScaleTril.unpack(t, b * tw, d);
      double[] r = new double[d];
      for (int i = 0; i < d; i++) r[i] = x[b * d + i] - loc[b * d + i];
      double[] y = ScaleTril.solveLower(l, r);
      double q = 0;
      for (double v : y) q += v * v;
      lp[b] = -0.5 * q - ScaleTril.logDet(t, b * tw, d) - 0.5 * d * Math.log(2 * Math.PI);
    }
    HostMatrix.assign(out, lp);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[] x = HostMatrix.flat(in[0]), loc = HostMatrix.flat(in[1]), t = HostMatrix.flat(in[2]), gr = HostMatrix.flat(g);
    int d = (int) in[0].columns();
    int tw = ScaleTril.packedWidth(d);
    int n = x.length / d;
    double[] gx = new double[n * d];
    double[] gt = new double[n * tw];
    for (int b = 0; b < n; b++) {
      double[][] l = ScaleTril.unpack(t, b * tw, d);
      double[] r = new double[d];
      for (int i = 0; i < d; i++) r[i] = x[b * d + i] - loc[b * d + i];
      double[] y = ScaleTril.solveLower(l, r);
      double[] v = ScaleTril.solveUpper(l, y);
      double[][] gl = new double[d][d];
      for (int i = 0; i < d; i++) {
        gx[b * d + i] = -gr[b] * v[i];
        for (int j = 0; j <= i; j++) gl[i][j] = v[i] * y[j];
      }
      ScaleTril.pack(gl, l, -1, gr[b], gt, b * tw);
    }
    if (gIn[0] != null) HostMatrix.assign(gIn[0], gx);
    if (gIn[1] != null) {
      for (int k = 0; k < gx.length; k++) gx[k] = -gx[k];
      HostMatrix.assign(gIn[1], gx);
    }
    if (gIn[2] != null) HostMatrix.assign(gIn[2], gt);
  }

  @Override public String describe() { return "mvn_log_prob"; }
}
