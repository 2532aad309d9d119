package vaec.runtime.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.BoundData;
import vaec.runtime.exec.Executor;

/**
 * The tables of one data split held once as ND4J matrices, one per data variable, from which
 * batches are gathered into an executor's input buffers: every input with the same row indices,
 * so that row i of every input is the same example.
 */
final class Batches {
  final BoundData data;
  private final Map<String, INDArray> all = new LinkedHashMap<>();

  Batches(BoundData data) {
    this.data = data;
    for (var e : data.tables().entrySet()) {
      var d = e.getValue();
      all.put(e.getKey(), Nd4j.createFromArray(d.values()).reshape('c', d.rows(), d.width()).castTo(DataType.FLOAT));
    }
  }

  int rows() { return data.rows(); }

  /**
   * Copies the rows {@code idx} of every table into the input of the same name of {@code ex}'s
   * graph (one native gather per input, no allocation of data). A data variable the graph does
   * not read is skipped; an input named like no table (a control-variate link) is left alone.
   */
  void gather(int[] idx, Executor ex) {
    for (String name : ex.graph().inputs().keySet()) {
      INDArray source = all.get(name);
      if (source != null) Nd4j.pullRows(source, ex.input(name), 1, idx);
    }
  }

  /** Fails (a bug of ours, not the user's) unless every data input of {@code ex}'s graph in {@code dataNames} has a table. */
  void requireInputs(Executor ex, java.util.Collection<String> dataNames) {
    for (String name : ex.graph().inputs().keySet()) {
      if (dataNames.contains(name) && !all.containsKey(name)) {
        throw new IllegalStateException("graph input " + name + " has no bound data; bound: " + all.keySet());
      }
    }
  }
}
