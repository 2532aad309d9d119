package vaec.stdlib.distributions;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.exec.Executor;
import vaec.runtime.exec.ParameterStore;
import vaec.runtime.graph.Graph;
import vaec.runtime.graph.Node;
import vaec.runtime.graph.SourceRef;
import vaec.runtime.rng.NoiseSource;

/** What the tests of the location-scale families share: their log-density at given points, and many draws. */
final class LocationScaleDraws {
  private LocationScaleDraws() {}

  /** log p(x_i) per row, in float64, for two columns with the given loc and scale. */
  static double[] logProb(DistributionFamily f, double[][] x, double[] loc, double[] scale) {
    Graph g = new Graph();
    Node v = g.input("x", 2);
    g.output("lp", f.logProb(g, SourceRef.NONE, v, Map.of("loc", g.input("loc", 2), "scale", g.input("scale", 2))));
    Executor ex = new Executor(g, x.length, new ParameterStore(List.of(), DataType.DOUBLE));
    ex.input("x").assign(Nd4j.createFromArray(x));
    ex.input("loc").addiRowVector(Nd4j.createFromArray(loc));
    ex.input("scale").addiRowVector(Nd4j.createFromArray(scale));
    ex.forward();
    return ex.value("lp").dup().data().asDouble();
  }

  /** n pathwise draws of two columns in float32, as training runs them, and the family's mean(), by column. */
  record Draws(double[][] columns, double[][] means) {}

  static Draws draw(DistributionFamily f, double[] loc, double[] scale, int n, long seed) {
    Graph g = new Graph();
    Map<String, Node> args = Map.of("loc", g.input("loc", 2), "scale", g.input("scale", 2));
    g.output("z", f.rsample(g, SourceRef.NONE, args, 2, "z"));
    g.output("mean", f.mean(g, SourceRef.NONE, args));
    Executor ex = new Executor(g, n, new ParameterStore(List.of(), DataType.FLOAT));
    ex.input("loc").addiRowVector(Nd4j.createFromArray(loc).castTo(DataType.FLOAT));
    ex.input("scale").addiRowVector(Nd4j.createFromArray(scale).castTo(DataType.FLOAT));
    ex.drawNoise(new NoiseSource(seed), 0);
    ex.forward();
    assertNull(ex.firstNonFiniteValue());
    return new Draws(columns(ex.value("z")), columns(ex.value("mean")));
  }

  static double[][] columns(INDArray m) {
    int n = (int) m.rows();
    int w = (int) m.columns();
    double[] flat = m.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[][] out = new double[w][n];
    for (int r = 0; r < n; r++) for (int j = 0; j < w; j++) out[j][r] = flat[r * w + j];
    return out;
  }
}
