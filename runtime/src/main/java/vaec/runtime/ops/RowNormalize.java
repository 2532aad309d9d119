package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.Op;

/** y = x / sum(x) per row (the Dirichlet's mean from its concentrations); dy_i/dx_j = (delta_ij - y_i) / s. */
public final class RowNormalize implements Op {
  @Override public int outputWidth(List<Node> in) { return in.get(0).width(); }

  @Override
  public void forward(INDArray[] in, INDArray out, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix();
    for (double[] r : x) {
      double sum = 0;
      for (double v : r) sum += v;
      for (int j = 0; j < r.length; j++) r[j] /= sum;
    }
    out.assign(Nd4j.createFromArray(x).castTo(out.dataType()));
  }

  @Override
  public void backward(INDArray[] in, INDArray out, INDArray g, INDArray[] gIn, INDArray[] s) {
    double[][] x = in[0].toDoubleMatrix(), gr = g.toDoubleMatrix();
    double[][] gx = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double sum = 0;
      for (double v : x[i]) sum += v;
      double dot = 0;
      for (int j = 0; j < x[i].length; j++) dot += gr[i][j] * x[i][j] / sum;
      gx[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) gx[i][j] = (gr[i][j] - dot) / sum;
    }
    gIn[0].assign(Nd4j.createFromArray(gx).castTo(gIn[0].dataType()));
  }

  @Override public String describe() { return "row_normalize"; }
}
