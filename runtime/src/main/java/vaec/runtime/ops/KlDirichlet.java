package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * Closed-form KL(Dirichlet(a) || Dirichlet(b)) per example, inputs (a, b) of one width, with
 * A = sum a and B = sum b:
 * log Gamma(A) - sum log Gamma(a_k) - log Gamma(B) + sum log Gamma(b_k) + sum (a_k - b_k)(psi(a_k) - psi(A)).
 * Gradients: d/da_j = (a_j - b_j) psi'(a_j) - (A - B) psi'(A); d/db_j = psi(b_j) - psi(B) - psi(a_j) + psi(A).
 * Host code in double precision.
 */
public final class KlDirichlet implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return 1;
  }

  /** The KL for one pair of concentration vectors. */
  public static double kl(double[] a, double[] b) {
    double sa = 0, sb = 0;
    for (int j = 0; j < a.length; j++) {
      sa += a[j];
      sb += b[j];
    }
    double psiA = SpecialFunctions.digamma(sa);
    double v = SpecialFunctions.lgamma(sa) - SpecialFunctions.lgamma(sb);
    for (int j = 0; j < a.length; j++) {
      v += SpecialFunctions.lgamma(b[j]) - SpecialFunctions.lgamma(a[j]) + (a[j] - b[j]) * (SpecialFunctions.digamma(a[j]) - psiA);
    }
    return v;
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] a = in[0].toDoubleMatrix(), b = in[1].toDoubleMatrix();
    double[] row = new double[a.length];
    for (int i = 0; i < a.length; i++) row[i] = kl(a[i], b[i]);
    out.assign(Nd4j.createFromArray(row).reshape(a.length, 1).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[][] a = in[0].toDoubleMatrix(), b = in[1].toDoubleMatrix();
    double[] gr = g.reshape(g.length()).toDoubleVector();
    int n = a.length, w = a[0].length;
    double[][] ga = new double[n][w];
    double[][] gb = new double[n][w];
    for (int i = 0; i < n; i++) {
      double sa = 0, sb = 0;
      for (int j = 0; j < w; j++) {
        sa += a[i][j];
        sb += b[i][j];
      }
      double psiA = SpecialFunctions.digamma(sa), psiB = SpecialFunctions.digamma(sb), triA = SpecialFunctions.trigamma(sa);
      for (int j = 0; j < w; j++) {
        ga[i][j] = gr[i] * ((a[i][j] - b[i][j]) * SpecialFunctions.trigamma(a[i][j]) - (sa - sb) * triA);
        gb[i][j] = gr[i] * (SpecialFunctions.digamma(b[i][j]) - psiB - SpecialFunctions.digamma(a[i][j]) + psiA);
      }
    }
    if (gIn[0] != null) gIn[0].assign(Nd4j.createFromArray(ga).castTo(gIn[0].dataType()));
    if (gIn[1] != null) gIn[1].assign(Nd4j.createFromArray(gb).castTo(gIn[1].dataType()));
  }

  @Override public String describe() { return "kl_dirichlet_dirichlet"; }
}
