package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Closed-form KL(q || p) per example for a full-covariance Gaussian guide q = N(mu, L L^T), L as
 * in {@link ScaleTril} with packed values t:
 * <ul>
 *   <li>{@link Prior#STANDARD_NORMAL}, inputs (mu, t): (|L|_F^2 + |mu|^2 - D) / 2 - sum t_ii;</li>
 *   <li>{@link Prior#DIAGONAL}, inputs (mu, t, m, s) for p = N(m, diag(s^2)):
 *       sum_i [log s_i + (sum_j L_ij^2 + (mu_i - m_i)^2) / (2 s_i^2)] - sum t_ii - D / 2;</li>
 *   <li>{@link Prior#FULL}, inputs (mu, t, m, u) for p = N(m, P P^T), P from u:
 *       (|P^-1 L|_F^2 + |P^-1 (mu - m)|^2 - D) / 2 + sum u_ii - sum t_ii.</li>
 * </ul>
 * Gradients for every input, in double precision on the host.
 */
public final class KlMvn implements Op {
  /** The prior's form. */
  public enum Prior { STANDARD_NORMAL, DIAGONAL, FULL }

  private final Prior prior;

  public KlMvn(Prior prior) { this.prior = prior; }

  @Override
  public int outputWidth(List<Node> in) {
    int d = in.get(0).width();
    boolean ok = in.get(1).width() == ScaleTril.packedWidth(d);
    if (prior != Prior.STANDARD_NORMAL) ok &= in.get(2).width() == d && in.get(3).width() == (prior == Prior.FULL ? ScaleTril.packedWidth(d) : d);
    if (!ok) throw new IllegalArgumentException("mvn kl: widths " + in);
    return 1;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { run(in, out, null, null); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) { run(in, null, g, gIn); }

  private void run(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn) {
    int d = (int) in[0].columns();
    int tw = ScaleTril.packedWidth(d);
    double[] mu = HostMatrix.flat(in[0]), t = HostMatrix.flat(in[1]);
    double[] m = prior == Prior.STANDARD_NORMAL ? null : HostMatrix.flat(in[2]);
    double[] p = prior == Prior.STANDARD_NORMAL ? null : HostMatrix.flat(in[3]);
    int pw = prior == Prior.FULL ? tw : d;
    int n = mu.length / d;
    double[] gr = g == null ? null : HostMatrix.flat(g);
    double[] kl = new double[n];
    double[] gMu = new double[n * d], gT = new double[n * tw], gM = new double[n * d], gP = new double[n * pw];
    for (int b = 0; b < n; b++) {
      double[][] l = ScaleTril.unpack(t, b * tw, d);
      double gb = gr == null ? 0 : gr[b];
      double[][] gl = new double[d][d];
      switch (prior) {
        case STANDARD_NORMAL -> {
          double v = -d;
          for (int i = 0; i < d; i++) {
            double mi = mu[b * d + i];
            v += mi * mi;
            gMu[b * d + i] = gb * mi;
            for (int j = 0; j <= i; j++) {
              v += l[i][j] * l[i][j];
              gl[i][j] = l[i][j];
            }
          }
          kl[b] = 0.5 * v - ScaleTril.logDet(t, b * tw, d);
        }
        case DIAGONAL -> {
          double v = -0.5 * d - ScaleTril.logDet(t, b * tw, d);
          for (int i = 0; i < d; i++) {
            double si = p[b * d + i];
            double diff = mu[b * d + i] - m[b * d + i];
            double row = diff * diff;
            for (int j = 0; j <= i; j++) {
              row += l[i][j] * l[i][j];
              gl[i][j] = l[i][j] / (si * si);
            }
            v += Math.log(si) + row / (2 * si * si);
            gMu[b * d + i] = gb * diff / (si * si);
            gM[b * d + i] = -gMu[b * d + i];
            gP[b * d + i] = gb * (1 / si - row / (si * si * si));
          }
          kl[b] = v;
        }
        case FULL -> {
          double[][] pl = ScaleTril.unpack(p, b * tw, d);
          // M = P^-1 L column by column; A = P^-T M.
          double[][] mm = new double[d][d];
          double[][] a = new double[d][d];
          double frob = 0;
          for (int c = 0; c < d; c++) {
            double[] col = new double[d];
            for (int i = 0; i < d; i++) col[i] = l[i][c];
            double[] mc = ScaleTril.solveLower(pl, col);
            double[] ac = ScaleTril.solveUpper(pl, mc);
            for (int i = 0; i < d; i++) {
              mm[i][c] = mc[i];
              a[i][c] = ac[i];
              frob += mc[i] * mc[i];
            }
          }
          double[] r = new double[d];
          for (int i = 0; i < d; i++) r[i] = mu[b * d + i] - m[b * d + i];
          double[] y = ScaleTril.solveLower(pl, r);
          double[] w = ScaleTril.solveUpper(pl, y);
          double yy = 0;
          for (double v : y) yy += v * v;
          kl[b] = 0.5 * (frob + yy - d) + ScaleTril.logDet(p, b * tw, d) - ScaleTril.logDet(t, b * tw, d);
          double[][] gpl = new double[d][d];
          for (int i = 0; i < d; i++) {
            gMu[b * d + i] = gb * w[i];
            gM[b * d + i] = -gb * w[i];
            for (int j = 0; j <= i; j++) {
              gl[i][j] = a[i][j];
              double amt = 0;
              for (int k = 0; k < d; k++) amt += a[i][k] * mm[j][k];
              gpl[i][j] = -amt - w[i] * y[j];
            }
          }
          ScaleTril.pack(gpl, pl, 1, gb, gP, b * tw);
        }
      }
      ScaleTril.pack(gl, l, -1, gb, gT, b * tw);
    }
    if (out != null) {
      HostMatrix.assign(out, kl);
      return;
    }
    if (gIn[0] != null) HostMatrix.assign(gIn[0], gMu);
    if (gIn[1] != null) HostMatrix.assign(gIn[1], gT);
    if (prior != Prior.STANDARD_NORMAL) {
      if (gIn[2] != null) HostMatrix.assign(gIn[2], gM);
      if (gIn[3] != null) HostMatrix.assign(gIn[3], gP);
    }
  }

  @Override public String describe() { return "kl_mvn_" + prior.name().toLowerCase(java.util.Locale.ROOT); }
}
