package vaec.runtime.exec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;

/**
 * All trainable parameters of a model in one flat vector, with their gradients in a second flat
 * vector of the same layout. Each parameter tensor is a view into the flat vector, so the
 * optimizer updates every parameter with one fused op, and graphs for training, evaluation and
 * sampling share parameters by name.
 */
public final class ParameterStore {
  private final DataType dtype;
  private final Map<String, ParamEntry> entries = new LinkedHashMap<>();
  private final Map<String, Long> offsets = new LinkedHashMap<>();
  private final INDArray values;
  private final INDArray grads;
  private final Map<String, INDArray> valueViews = new LinkedHashMap<>();
  private final Map<String, INDArray> gradViews = new LinkedHashMap<>();

  public ParameterStore(List<ParamEntry> layout, DataType dtype) {
    this.dtype = dtype;
    long total = 0;
    for (ParamEntry e : layout) {
      if (entries.put(e.name(), e) != null) throw new IllegalArgumentException("duplicate parameter " + e.name());
      offsets.put(e.name(), total);
      total += e.size();
    }
    values = Nd4j.zeros(dtype, Math.max(total, 1));
    grads = Nd4j.zeros(dtype, Math.max(total, 1));
    for (ParamEntry e : layout) {
      valueViews.put(e.name(), view(values, e));
      gradViews.put(e.name(), view(grads, e));
    }
  }

  private ParameterStore(ParameterStore other) {
    this.dtype = other.dtype;
    entries.putAll(other.entries);
    offsets.putAll(other.offsets);
    values = other.values;
    valueViews.putAll(other.valueViews);
    grads = Nd4j.zeros(dtype, other.grads.length());
    for (ParamEntry e : entries.values()) gradViews.put(e.name(), view(grads, e));
  }

  /**
   * A store over the same parameter values (the same buffer: updates show in both) with a
   * gradient vector of its own: how a second executor computes its own share of a batch's
   * gradient beside the first.
   */
  public ParameterStore sharingValues() { return new ParameterStore(this); }

  private INDArray view(INDArray flat, ParamEntry e) {
    long off = offsets.get(e.name());
    INDArray part = flat.get(NDArrayIndex.interval(off, off + e.size()));
    return e.shape().length == 1 ? part : part.reshape('c', e.shape());
  }

  public DataType dtype() { return dtype; }
  public List<ParamEntry> layout() { return new ArrayList<>(entries.values()); }
  public INDArray values() { return values; }
  public INDArray grads() { return grads; }
  public long size() { return entries.values().stream().mapToLong(ParamEntry::size).sum(); }
  public boolean has(String name) { return entries.containsKey(name); }

  public INDArray value(String name) { return require(valueViews, name); }
  public INDArray grad(String name) { return require(gradViews, name); }

  private static INDArray require(Map<String, INDArray> m, String name) {
    INDArray a = m.get(name);
    if (a == null) throw new IllegalArgumentException("no parameter " + name);
    return a;
  }

  /** Parameter count of the tensors whose names start with {@code prefix}. */
  public long count(String prefix) {
    return entries.values().stream().filter(e -> e.name().startsWith(prefix)).mapToLong(ParamEntry::size).sum();
  }

  public float[] toFloatArray() { return values.castTo(DataType.FLOAT).toFloatVector(); }

  public void load(float[] flat) {
    if (flat.length != values.length()) {
      throw new IllegalArgumentException("parameter count " + flat.length + " != " + values.length());
    }
    values.assign(Nd4j.createFromArray(flat).castTo(dtype));
  }
}
