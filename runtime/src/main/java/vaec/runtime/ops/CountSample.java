package vaec.runtime.ops;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.ImplicitGamma;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.SpecialFunctions;

/**
 * Draws of count data without gradient, each element's sampler seeded from its uniform noise (as
 * {@link GammaBetaSample}). Poisson, inputs (rate, u): inversion by sequential search for rates
 * below 10, Hörmann's transformed rejection (PTRS, 1993) above. Negative binomial, inputs
 * (total_count r, odds p / (1 - p), u): the Gamma-Poisson mixture, Poisson(odds Gamma(r, 1)).
 */
public final class CountSample implements Op {
  private final boolean negativeBinomial;

  public CountSample(boolean negativeBinomial) { this.negativeBinomial = negativeBinomial; }

  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths(describe(), in);
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[] a = HostMatrix.flat(in[0]);
    double[] odds = negativeBinomial ? HostMatrix.flat(in[1]) : null;
    double[] u = HostMatrix.flat(in[negativeBinomial ? 2 : 1]);
    int w = (int) out.columns();
    double[] x = new double[a.length];
    for (int k = 0; k < a.length; k++) {
      SplittableRandom r = ImplicitGammaRsample.seeded(u[k], k / w, k % w);
      double rate = negativeBinomial ? odds[k] * Math.exp(ImplicitGamma.logStandardGamma(a[k], r)) : a[k];
      x[k] = poisson(rate, r);
    }
    HostMatrix.assign(out, x);
  }

  /** One Poisson(rate) draw. */
  static double poisson(double rate, SplittableRandom r) {
    if (!(rate > 0)) return 0;
    if (rate < 10) {
      double u = r.nextDouble();
      double p = Math.exp(-rate);
      double cdf = p;
      int k = 0;
      while (u > cdf && k < 1000) {
        k++;
        p *= rate / k;
        cdf += p;
      }
      return k;
    }
    double slam = Math.sqrt(rate);
    double loglam = Math.log(rate);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      double uu = r.nextDouble() - 0.5;
      double v = r.nextDouble();
      double us = 0.5 - Math.abs(uu);
      double k = Math.floor((2 * a / us + b) * uu + rate + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -rate + k * loglam - SpecialFunctions.lgamma(k + 1)) return k;
    }
  }

  @Override public boolean differentiable() { return false; }
  @Override public String describe() { return negativeBinomial ? "negative_binomial_sample" : "poisson_sample"; }
}
