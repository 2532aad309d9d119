package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The reparameterized full-covariance Gaussian draw z = loc + L eps, inputs (loc, packed scale t,
 * eps) of widths D, D (D + 1) / 2 and D, L as in {@link ScaleTril}. Backward: d/dloc = g,
 * d/dL[i,j] = g_i eps_j (times L[i,i] on the diagonal), d/deps = L^T g.
 */
public final class MvnRsample implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    int d = in.get(0).width();
    if (in.get(2).width() != d || in.get(1).width() != ScaleTril.packedWidth(d)) {
      throw new IllegalArgumentException("mvn sample: widths " + in);
    }
    return d;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] loc = HostMatrix.flat(in[0]), t = HostMatrix.flat(in[1]), eps = HostMatrix.flat(in[2]);
    int d = (int) in[0].columns();
    int tw = ScaleTril.packedWidth(d);
    int n = loc.length / d;
    double[] z = new double[loc.length];
    for (int b = 0; b < n; b++) {
      double[][] l = ScaleTril.unpack(t, b * tw, d);
      for (int i = 0; i < d; i++) {
        double v = loc[b * d + i];
        for (int j = 0; j <= i; j++) v += l[i][j] * eps[b * d + j];
        z[b * d + i] = v;
      }
    }
    HostMatrix.assign(out, z);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[] t = HostMatrix.flat(in[1]), eps = HostMatrix.flat(in[2]), gr = HostMatrix.flat(g);
    int d = (int) in[0].columns();
    int tw = ScaleTril.packedWidth(d);
    int n = gr.length / d;
    if (gIn[0] != null) gIn[0].assign(g);
    double[] gt = new double[n * tw];
    double[] ge = new double[n * d];
    for (int b = 0; b < n; b++) {
      double[][] l = ScaleTril.unpack(t, b * tw, d);
      double[][] gl = new double[d][d];
      for (int i = 0; i < d; i++) {
        for (int j = 0; j <= i; j++) {
          gl[i][j] = gr[b * d + i] * eps[b * d + j];
          ge[b * d + j] += gr[b * d + i] * l[i][j];
        }
      }
      ScaleTril.pack(gl, l, 0, 1, gt, b * tw);
    }
    if (gIn[1] != null) HostMatrix.assign(gIn[1], gt);
    if (gIn[2] != null) HostMatrix.assign(gIn[2], ge);
  }

  @Override public String describe() { return "mvn_rsample"; }
}
