package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.FusedBernoulli;
import vaec.runtime.kernels.KernelPath;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.Parallel;

/**
 * log Bernoulli(x; sigmoid(l)) = x l - softplus(l), summed per example; inputs (x, logits). With x
 * in [0,1] this is the negated binary cross-entropy, the reference VAE's reconstruction term.
 *
 * <p>On the direct kernels ({@link KernelPath}) with float32 buffers, the forward pass is one fused
 * kernel ({@link FusedBernoulli}: one exp(-|l|) per element for both the value and the gradient)
 * that also leaves the logit gradient x - sigmoid(l) in scratch 0, so that the backward pass is
 * one row-scaling. Its softplus is max(l, 0) + log1p(exp(-|l|)), finite for every finite logit.
 * On the neutral path (ND4J's ops, as on a GPU) softplus is ND4J's log(1 + exp(l)), which overflows
 * above l = 88 in float32: a logit that large makes the loss infinite, which training reports with
 * the model line (StableSoftplus avoids it at four more element-wise ops).
 */
public final class BernoulliLogitsLogProb implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Bernoulli log-probability", in);
    return 1;
  }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), in.get(0).width()}; }

  /** Row halves of the buffers, for running the two halves on two cores (the op's heaviest work). */
  private final Parallel.RowHalves halves = new Parallel.RowHalves();

  /**
   * The op's work as two row halves on two cores: the arguments of one call in fields and the two
   * halves as task objects made once per thread that calls the op (capturing lambdas made two
   * objects per call). No reference to the buffers is kept past the call.
   */
  private final class Halves {
    static final int FUSED_FORWARD = 0, FORWARD = 1, BACKWARD = 2;
    int what;
    INDArray[] in, s, gIn;
    INDArray out, g;
    boolean haveD;
    final Runnable top = () -> half(0), bottom = () -> half(1);

    void run(int what, INDArray[] in, INDArray out, INDArray[] s, INDArray g, INDArray[] gIn, boolean haveD) {
      this.what = what; this.in = in; this.out = out; this.s = s; this.g = g; this.gIn = gIn; this.haveD = haveD;
      try {
        Parallel.both(top, bottom);
      } finally {
        this.in = this.s = this.gIn = null;
        this.out = this.g = null;
      }
    }

    private void half(int h) {
      switch (what) {
        case FUSED_FORWARD -> FusedBernoulli.forward(halves.half(in[0], h), halves.half(in[1], h), halves.half(out, h), halves.half(s[0], h));
        case FORWARD -> forwardRows(halves.half(in[0], h), halves.half(in[1], h), halves.half(out, h), halves.half(s[0], h), halves.half(s[1], h));
        default -> logitGradientRows(halves.half(in[0], h), halves.half(in[1], h), halves.half(s[0], h), halves.half(g, h),
            halves.half(gIn[1], h), haveD);
      }
    }
  }

  private final ThreadLocal<Halves> tasks = ThreadLocal.withInitial(Halves::new);

  /**
   * The scratch buffer into which the last forward pass wrote the logit gradient, or null: the
   * backward pass uses it only when it is the buffer it is handed (the same executor's), else it
   * computes the gradient itself. An executor passes the same buffers every step. One per thread:
   * the two halves of a training step call this op from two threads at once, each with its own
   * executor's buffers, and each half's forward and backward run on one thread.
   */
  private final ThreadLocal<INDArray> stashed = new ThreadLocal<>();

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    if (FusedBernoulli.applies(in[0], in[1], out, s[0])) {
      stashed.set(null);
      if (!Parallel.splitRows(in[1])) {
        FusedBernoulli.forward(in[0], in[1], out, s[0]);
      } else {
        tasks.get().run(Halves.FUSED_FORWARD, in, out, s, null, null, false);
      }
      stashed.set(s[0]);
      return;
    }
    stashed.set(null);
    if (!Parallel.splitRows(in[1])) {
      forwardRows(in[0], in[1], out, s[0], s[1]);
      return;
    }
    tasks.get().run(Halves.FORWARD, in, out, s, null, null, false);
  }

  private static void forwardRows(INDArray x, INDArray l, INDArray out, INDArray t, INDArray xl) {
    Kernels.softplus(l, t);
    Kernels.mul(x, l, xl);
    Kernels.sub(xl, t, t);    // x l - softplus(l), through Kernels' reused op (no buffer per call)
    Kernels.rowSum(t, out);
  }

  private static void logitGradientRows(INDArray x, INDArray l, INDArray d, INDArray g, INDArray gl, boolean haveD) {
    if (haveD) {                      // the fused forward pass left x - sigmoid(l) in d
      FusedBernoulli.scaleRows(d, g, gl);
      return;
    }
    Kernels.sigmoid(l, d);            // d/dl = x - sigmoid(l)
    Kernels.sub(x, d, d);
    Kernels.putRowScaled(gl, d, g);
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    INDArray d = s[0];
    boolean haveD = stashed.get() == d && gIn[1] != null && FusedBernoulli.applies(g, gIn[1]);
    if (gIn[1] != null) {
      if (!Parallel.splitRows(in[1])) {
        logitGradientRows(in[0], in[1], d, g, gIn[1], haveD);
      } else {
        tasks.get().run(Halves.BACKWARD, in, null, s, g, gIn, haveD);
      }
    }
    if (gIn[0] != null) {
      // d/dx = l, scaled by the row's g straight from the logits (the same floats as through a
      // copy of them; REBAR's and RELAX's relaxed values take this gradient at every stacked row)
      if (in[1].rows() == gIn[0].rows() && in[1].columns() == gIn[0].columns()) {
        Kernels.putRowScaled(gIn[0], in[1], g);
      } else {                             // logits broadcast over the rows
        stashed.set(null);                 // d is overwritten here
        Kernels.copy(in[1], d);
        Kernels.putRowScaled(gIn[0], d, g);
      }
    }
  }

  @Override public String describe() { return "bernoulli_logits_log_prob"; }
}
