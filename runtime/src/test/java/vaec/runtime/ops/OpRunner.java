package vaec.runtime.ops;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.NoiseKind;
import vaec.runtime.graph.Op;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.rng.NoiseSource;

/**
 * Runs one op forward through a real {@link Executor}, the way a compiled model runs it: inputs
 * filled on the host, uniform noise drawn by a {@link NoiseSource} with a fixed seed.
 */
final class OpRunner {
  private OpRunner() {}

  /** Draws {@code rows} samples of {@code op(logits, u)}, every row with the same logits. */
  static double[][] sample(Op op, double[] logits, int rows, long seed, DataType dtype) {
    Graph g = new Graph();
    Node l = g.input("logits", logits.length);
    Node u = g.noise("u", NoiseKind.UNIFORM, logits.length);
    g.output("y", g.apply(op, SourceRef.NONE, l, u));
    Executor ex = new Executor(g, rows, new ParameterStore(List.of(), dtype));
    ex.input("logits").addiRowVector(Nd4j.createFromArray(logits).castTo(dtype));
    ex.drawNoise(new NoiseSource(seed), 0);
    ex.forward();
    return rows(ex.value("y"));
  }

  /** The matrix as rows of doubles, through one flat copy (INDArray.toDoubleMatrix goes row by row, seconds for 1e5 rows). */
  static double[][] rows(INDArray m) {
    int rows = (int) m.rows();
    int cols = (int) m.columns();
    double[] flat = m.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[][] out = new double[rows][cols];
    for (int r = 0; r < rows; r++) System.arraycopy(flat, r * cols, out[r], 0, cols);
    return out;
  }

  /** {@code op(value, logits)} for each row of the two matrices (rows x width each). */
  static double[] evaluate(Op op, double[][] values, double[][] logits, DataType dtype) {
    Graph g = new Graph();
    Node y = g.input("value", values[0].length);
    Node l = g.input("logits", logits[0].length);
    g.output("out", g.apply(op, SourceRef.NONE, y, l));
    Executor ex = new Executor(g, values.length, new ParameterStore(List.of(), dtype));
    ex.input("value").assign(Nd4j.createFromArray(values).castTo(dtype));
    ex.input("logits").assign(Nd4j.createFromArray(logits).castTo(dtype));
    ex.forward();
    return ex.value("out").castTo(DataType.DOUBLE).toDoubleVector();
  }
}
