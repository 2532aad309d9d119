package vaec.runtime.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One split of the data as a model sees it: a table for every data variable, keyed by the
 * variable's name, all with the same rows (row r of every table is the same example).
 */
public final class BoundData {
  private final Map<String, Dataset> tables;
  private final int rows;

  public BoundData(Map<String, Dataset> tables) {
    if (tables.isEmpty()) throw new IllegalArgumentException("no data variables");
    this.tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    this.rows = rowsOf(tables);
  }

  private BoundData(int rows) {
    this.tables = Map.of();
    this.rows = rows;
  }

  /**
   * {@code rows} examples with no data at all: what a model without data ({@code dataset = none})
   * trains on, each row one draw of the guide's noise.
   */
  public static BoundData empty(int rows) {
    if (rows < 1) throw new IllegalArgumentException("rows " + rows);
    return new BoundData(rows);
  }

  private static int rowsOf(Map<String, Dataset> tables) {
    int n = -1;
    for (var e : tables.entrySet()) {
      if (n >= 0 && e.getValue().rows() != n) {
        throw new IllegalArgumentException("table of " + e.getKey() + " has " + e.getValue().rows() + " rows, not " + n);
      }
      n = e.getValue().rows();
    }
    return n;
  }

  /** One table bound to one variable. */
  public static BoundData of(String variable, Dataset d) {
    return new BoundData(Map.of(variable, d));
  }

  public int rows() { return rows; }

  /** The tables by variable name, in the model's declaration order. */
  public Map<String, Dataset> tables() { return tables; }

  public Dataset get(String variable) {
    Dataset d = tables.get(variable);
    if (d == null) throw new IllegalArgumentException("no data bound to " + variable + "; bound: " + tables.keySet());
    return d;
  }

  public boolean has(String variable) { return tables.containsKey(variable); }

  /** Rows [from, to) of every table. */
  public BoundData slice(int from, int to) {
    if (tables.isEmpty()) return empty(to - from);
    Map<String, Dataset> out = new LinkedHashMap<>();
    tables.forEach((k, v) -> out.put(k, v.slice(from, to)));
    return new BoundData(out);
  }
}
