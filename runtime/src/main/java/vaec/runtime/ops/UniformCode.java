package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/**
 * A uniform draw of a code index per column, floor(u K) for uniform noise u in [0, 1) (clamped to
 * K - 1), as a number. Input: the uniform noise node. Not differentiable.
 */
public final class UniformCode implements Op {
  private final int codes;

  public UniformCode(int codes) { this.codes = codes; }

  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    Codebooks.View u = Codebooks.View.of(in[0]);
    Codebooks.View o = Codebooks.View.of(out);
    long rows = out.rows();
    long cols = out.columns();
    for (long r = 0; r < rows; r++) {
      for (long c = 0; c < cols; c++) o.put(r, c, Math.max(0, Math.min(codes - 1, (int) Math.floor(u.get(r, c) * codes))));
    }
  }

  @Override public boolean differentiable() { return false; }

  @Override public String describe() { return "uniform_code(" + codes + " codes)"; }
}
