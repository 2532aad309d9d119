package vaec.runtime.train;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import vaec.runtime.data.BoundData;
import vaec.runtime.data.Dataset;
import vaec.runtime.exec.Executor;

/**
 * Gathers batches of one data split into an executor's input buffers: every input with the same
 * row indices, so that row i of every input is the same example.
 *
 * <p>The data is held once: the rows are copied straight from the tables' own float arrays into
 * the inputs' native buffers (one bulk copy per row), with no second copy of the data set in
 * ND4J's memory. The float buffers over the inputs are made once per input and reused.
 */
final class Batches {
  final BoundData data;
  private final Map<INDArray, FloatBuffer> floatViews = new IdentityHashMap<>();
  private final Map<INDArray, DoubleBuffer> doubleViews = new IdentityHashMap<>();

  Batches(BoundData data) {
    this.data = data;
  }

  int rows() { return data.rows(); }

  /** Each executor's graph's input names, listed once (a view and an iterator of the graph's map per step were heap garbage). */
  private final Map<Executor, String[]> inputNames = new IdentityHashMap<>();

  private synchronized String[] inputNames(Executor ex) {
    String[] names = inputNames.get(ex);
    if (names == null) {
      if (inputNames.size() >= 64) inputNames.clear();   // executors are few and long-lived; bound it anyway
      inputNames.put(ex, names = ex.graph().inputs().keySet().toArray(new String[0]));
    }
    return names;
  }

  /**
   * Copies the rows {@code idx} of every table into the input of the same name of {@code ex}'s
   * graph. A data variable the graph does not read is skipped; an input named like no table (a
   * control-variate link) is left alone.
   */
  void gather(int[] idx, Executor ex) {
    for (String name : inputNames(ex)) {
      if (!data.has(name)) continue;
      gather(data.get(name), idx, ex.input(name));
    }
  }

  /** Rows {@code idx} of {@code d} into {@code target} (idx.length x d.width()). */
  void gather(Dataset d, int[] idx, INDArray target) {
    int w = d.width();
    if (target.rows() != idx.length || target.columns() != w) {
      throw new IllegalStateException("input " + target.shapeInfoToString() + " for " + idx.length + " rows of width " + w);
    }
    float[] v = d.values();
    if (!vaec.runtime.kernels.KernelPath.direct()) {
      // Backend-neutral: the rows gathered on the heap, then one assign through ND4J (writing
      // into the NIO view of a device array would bypass the backend's copy to the device).
      vaec.runtime.kernels.KernelPath.noteNeutral(vaec.runtime.kernels.KernelPath.Kernel.GATHER);
      float[] rows = new float[idx.length * w];
      for (int r = 0; r < idx.length; r++) System.arraycopy(v, idx[r] * w, rows, r * w, w);
      target.assign(org.nd4j.linalg.factory.Nd4j.create(rows, new long[] {idx.length, w}, DataType.FLOAT).castTo(target.dataType()));
      return;
    }
    if (!dense(target)) {   // not an executor's own input buffer: element by element
      for (int r = 0; r < idx.length; r++) for (int c = 0; c < w; c++) target.putScalar(r, c, v[idx[r] * w + c]);
      return;
    }
    if (target.dataType() == DataType.FLOAT) {
      FloatBuffer b = floatViews.computeIfAbsent(target, t -> t.data().asNioFloat());
      for (int r = 0; r < idx.length; r++) b.put(r * w, v, idx[r] * w, w);
    } else if (target.dataType() == DataType.DOUBLE) {
      DoubleBuffer b = doubleViews.computeIfAbsent(target, t -> t.data().asNioDouble());
      for (int r = 0; r < idx.length; r++) {
        int from = idx[r] * w;
        for (int c = 0; c < w; c++) b.put(r * w + c, v[from + c]);
      }
    } else {
      throw new IllegalStateException("input of type " + target.dataType());
    }
  }

  /** A row-major array that owns its whole buffer from the start (what Executor makes for inputs). */
  private static boolean dense(INDArray a) {
    return a.rank() == 2 && !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
  }

  /** Fails (a bug of ours, not the user's) unless every data input of {@code ex}'s graph in {@code dataNames} has a table. */
  void requireInputs(Executor ex, java.util.Collection<String> dataNames) {
    for (String name : ex.graph().inputs().keySet()) {
      if (dataNames.contains(name) && !data.has(name)) {
        throw new IllegalStateException("graph input " + name + " has no bound data; bound: " + data.tables().keySet());
      }
    }
  }
}
