package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * The unnormalized log-density -U(z) of one of the four 2-D test energies of Rezende and Mohamed
 * (2015, Table 1), per row of z (batch x 2): the output is batch x 1. With z = (z1, z2) and
 * w1(z) = sin(2 pi z1 / 4), w2(z) = 3 exp(-((z1 - 1) / 0.6)^2 / 2), w3(z) = 3 sigmoid((z1 - 1) / 0.3):
 * <ul>
 *   <li>U1 = ((|z| - 2) / 0.4)^2 / 2 - log(exp(-((z1 - 2) / 0.6)^2 / 2) + exp(-((z1 + 2) / 0.6)^2 / 2))</li>
 *   <li>U2 = ((z2 - w1) / 0.4)^2 / 2</li>
 *   <li>U3 = -log(exp(-((z2 - w1) / 0.35)^2 / 2) + exp(-((z2 - w1 + w2) / 0.35)^2 / 2))</li>
 *   <li>U4 = -log(exp(-((z2 - w1) / 0.4)^2 / 2) + exp(-((z2 - w1 + w3) / 0.35)^2 / 2))</li>
 * </ul>
 * Forward and backward are written by hand in float64 on the host (two columns per row); the
 * log-sum-exps are taken stably.
 */
public final class PotentialEnergy implements Op {
  private final int which;

  /** @param which 1 to 4: U1 to U4 */
  public PotentialEnergy(int which) {
    if (which < 1 || which > 4) throw new IllegalArgumentException("no energy U" + which + "; there are U1 to U4");
    this.which = which;
  }

  public int which() { return which; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.size() != 1 || in.get(0).width() != 2) throw new IllegalArgumentException(describe() + " reads one value of width 2");
    return 1;
  }

  /** U(z1, z2); when {@code grad} is not null, dU/dz1 and dU/dz2 into it. */
  public static double energy(int which, double a, double b, double[] grad) {
    double w1 = Math.sin(Math.PI * a / 2), dw1 = Math.PI / 2 * Math.cos(Math.PI * a / 2);
    switch (which) {
      case 1 -> {
        double r = Math.hypot(a, b);
        double ring = 0.5 * sq((r - 2) / 0.4);
        double e1 = -0.5 * sq((a - 2) / 0.6), e2 = -0.5 * sq((a + 2) / 0.6);
        double m = Math.max(e1, e2), p1 = Math.exp(e1 - m), p2 = Math.exp(e2 - m), s = p1 + p2;
        if (grad != null) {
          double dr = r == 0 ? 0 : (r - 2) / 0.16 / r;
          double da1 = -(a - 2) / 0.36, da2 = -(a + 2) / 0.36;
          grad[0] = dr * a - (p1 * da1 + p2 * da2) / s;
          grad[1] = dr * b;
        }
        return ring - (m + Math.log(s));
      }
      case 2 -> {
        double t = (b - w1) / 0.4;
        if (grad != null) {
          grad[1] = t / 0.4;
          grad[0] = -t / 0.4 * dw1;
        }
        return 0.5 * t * t;
      }
      default -> {
        // U3 (with w2, width 0.35 in both terms) and U4 (with w3, widths 0.4 and 0.35).
        double c, dc, s1, s2 = 0.35;
        if (which == 3) {
          c = 3 * Math.exp(-0.5 * sq((a - 1) / 0.6));
          dc = c * -(a - 1) / 0.36;
          s1 = 0.35;
        } else {
          double sig = 1 / (1 + Math.exp(-(a - 1) / 0.3));
          c = 3 * sig;
          dc = 3 * sig * (1 - sig) / 0.3;
          s1 = 0.4;
        }
        double t1 = (b - w1) / s1, t2 = (b - w1 + c) / s2;
        double e1 = -0.5 * t1 * t1, e2 = -0.5 * t2 * t2;
        double m = Math.max(e1, e2), p1 = Math.exp(e1 - m), p2 = Math.exp(e2 - m), s = p1 + p2;
        if (grad != null) {
          // de1/db = -t1 / s1, de1/da = t1 / s1 dw1; de2/db = -t2 / s2, de2/da = -t2 / s2 (dc - dw1).
          double q1 = p1 / s, q2 = p2 / s;
          grad[1] = q1 * t1 / s1 + q2 * t2 / s2;
          grad[0] = -(q1 * t1 / s1 * dw1 - q2 * t2 / s2 * (dc - dw1));
        }
        return -(m + Math.log(s));
      }
    }
  }

  private static double sq(double x) { return x * x; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] z = HostMatrix.flat(in[0]);
    double[] row = new double[z.length / 2];
    for (int r = 0; r < row.length; r++) row[r] = -energy(which, z[2 * r], z[2 * r + 1], null);
    HostMatrix.assign(out, row);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[0] == null) return;
    double[] z = HostMatrix.flat(in[0]), gr = HostMatrix.flat(g);
    double[] gz = new double[z.length];
    double[] e = new double[2];
    for (int r = 0; r < gr.length; r++) {
      energy(which, z[2 * r], z[2 * r + 1], e);
      gz[2 * r] = -gr[r] * e[0];
      gz[2 * r + 1] = -gr[r] * e[1];
    }
    HostMatrix.assign(gIn[0], gz);
  }

  @Override public String describe() { return "potential_energy_u" + which; }
}
