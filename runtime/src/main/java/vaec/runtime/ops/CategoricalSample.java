package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.CumSum;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;
import vaec.runtime.kernels.LogProbs;
import vaec.runtime.kernels.UniformNoise;

/**
 * A one-hot categorical draw by the Gumbel-max trick (Gumbel 1954; Maddison, Tarlow and Minka
 * 2014): the row's one is at argmax(logits + g) with g = -log(-log u) standard Gumbel noise from a
 * uniform noise node u of the same width. Inputs (logits, uniform noise). The draw is piecewise
 * constant in the logits, so the op is not differentiable: no gradient flows through it.
 */
public final class CategoricalSample implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    LogProbs.sameWidths("Categorical sample", in);
    return in.get(0).width();
  }

  @Override
  public int[] scratchWidths(List<Node> in) { return new int[] {in.get(0).width(), 1}; }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    INDArray z = s[0];
    INDArray max = s[1];
    UniformNoise.clamp(in[1], z);
    UniformNoise.gumbel(z, z);
    Kernels.add(z, in[0], z);
    // One-hot of the arg max without an index buffer (ND4J's argmax writes only integer arrays):
    // mark every column that attains the row maximum, then keep the first of them, where the
    // running count of marks is 1. Ties are rare in float32 but would otherwise give two ones.
    Kernels.rowMax(z, max);
    Kernels.subColumn(z, max, z);
    z.negi();                                               // max - z >= 0, exactly 0 at maxima
    Kernels.step(z, out);
    out.rsubi(1.0);                                         // 1 at every maximum
    Nd4j.getExecutioner().exec(new CumSum(out, z, false, false, 1));
    Nd4j.getExecutioner().exec(new Step(z, z, 1.5));       // 1 from the second maximum on
    z.rsubi(1.0);
    Kernels.mul(out, z, out);
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "categorical_sample"; }
}
