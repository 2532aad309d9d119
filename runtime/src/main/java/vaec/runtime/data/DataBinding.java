package vaec.runtime.data;

/**
 * Where a data variable's values come from, as its declaration's {@code from} clause says it. A
 * variable without one has no binding (null) and follows the default rule of {@link DataBinder}.
 */
public sealed interface DataBinding {
  /** {@code from labels}: a part of the dataset. */
  record Part(String name) implements DataBinding {
    @Override public String toString() { return name; }
  }

  /** {@code from columns[a:b]}: columns a..b-1 of a file dataset; an open end is null. */
  record Columns(Integer from, Integer to) implements DataBinding {
    @Override public String toString() {
      return "columns[" + (from == null ? "" : from) + ":" + (to == null ? "" : to) + "]";
    }
  }

  /** {@code from "labels.npy"}: a file of the variable's own, one row per example of the dataset. */
  record File(String path) implements DataBinding {
    @Override public String toString() { return "\"" + path + "\""; }
  }
}
