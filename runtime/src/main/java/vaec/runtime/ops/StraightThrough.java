package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * Inputs (hard, soft): the value of {@code hard}, the gradient of {@code soft}. The
 * straight-through estimator (Bengio, Léonard and Courville 2013; with a Concrete draw as the soft
 * value, the straight-through Gumbel-softmax of Jang, Gu and Poole 2017): the model sees discrete
 * values, the guide's parameters get the relaxed draw's pathwise gradient, biased but of low
 * variance.
 */
public final class StraightThrough implements Op {
  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != in.get(1).width()) throw new IllegalArgumentException("straight-through: widths differ");
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) { out.assign(in[0]); }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    if (gIn[1] != null) gIn[1].assign(g);
  }

  @Override public String describe() { return "straight_through"; }
}
