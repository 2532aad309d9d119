package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;
import vaec.runtime.kernels.Kernels;

/** Element-wise a (+ - * /) b on two values of the same width. */
public final class Binary implements Op {
  public enum Kind { ADD, SUB, MUL, DIV }

  private final Kind kind;

  public Binary(Kind kind) { this.kind = kind; }

  @Override
  public int outputWidth(List<Node> in) {
    if (in.get(0).width() != in.get(1).width()) {
      throw new IllegalArgumentException(kind + ": widths " + in.get(0).width() + " and " + in.get(1).width());
    }
    return in.get(0).width();
  }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    switch (kind) {
      case ADD -> Kernels.add(in[0], in[1], out);
      case SUB -> Kernels.sub(in[0], in[1], out);
      case MUL -> Kernels.mul(in[0], in[1], out);
      case DIV -> Kernels.div(in[0], in[1], out);
    }
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    for (int i = 0; i < 2; i++) {
      if (gIn[i] == null) continue;
      INDArray d = gIn[i];
      switch (kind) {
        case ADD -> Kernels.copy(g, d);
        case SUB -> { if (i == 0) Kernels.copy(g, d); else Kernels.scale(g, -1.0, d); }
        case MUL -> Kernels.mul(g, in[1 - i], d);
        case DIV -> {
          if (i == 0) Kernels.div(g, in[1], d);
          else {                                           // -g a / b^2 = -g y / b
            Kernels.mul(g, out, d);
            Kernels.div(d, in[1], d);
            Kernels.scale(d, -1.0, d);
          }
        }
      }
    }
  }

  @Override
  public String describe() { return kind.name().toLowerCase(java.util.Locale.ROOT); }
}
