package vaec.runtime.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides where every data variable's values come from, given what the dataset offers. The
 * rules, in order:
 * <ol>
 *   <li>a variable with a {@code from} clause takes what it names: a part of a named dataset
 *       ({@code from labels}), columns of a file dataset ({@code from columns[784:794]}), or a
 *       file of its own ({@code from "labels.npy"});</li>
 *   <li>a variable without one takes the part with its own name, if the dataset has one;</li>
 *   <li>if exactly one variable is then left, it takes the dataset's primary part (the images of
 *       a named dataset, the whole file of a file dataset), unless another variable named it;</li>
 *   <li>any other variable is bound to nothing, which is an error naming it and the parts.</li>
 * </ol>
 * Widths and domains are checked where the dataset's description knows them. The same rules run
 * at compile time, against the model's own train-block dataset, and at run time, against the
 * dataset actually loaded (which {@code --dataset} may have changed).
 */
public final class DataBinder {
  private DataBinder() {}

  /** A named part of a dataset: its width and the domain of its values. */
  public record PartInfo(String name, int width, ValueDomain domain, String holds) {}

  /**
   * What a dataset offers before its values are read. A named dataset has {@code parts}, the
   * primary one first; a file dataset has none and {@code fileWidth} values per row (-1 when not
   * yet known, as at compile time).
   */
  public record Description(String name, boolean file, List<PartInfo> parts, int fileWidth) {
    public static Description named(String name, List<PartInfo> parts) { return new Description(name, false, parts, -1); }
    public static Description file(String path, int width) { return new Description(path, true, List.of(), width); }

    PartInfo part(String n) {
      for (PartInfo p : parts) if (p.name().equals(n)) return p;
      return null;
    }

    String partNames() { return String.join(", ", parts.stream().map(PartInfo::name).toList()); }
  }

  /** Where one variable's values come from, once resolved. */
  public sealed interface Source {
    /** A part of a named dataset; {@code byDefault} when no {@code from} clause named it. */
    record NamedPart(PartInfo part, boolean byDefault) implements Source {
      @Override public String toString() { return part.name() + (byDefault ? " (by default)" : ""); }
    }

    /** Every column of a file dataset (the default for a single unbound variable). */
    record WholeFile() implements Source {
      @Override public String toString() { return "the whole file (by default)"; }
    }

    /** Columns [from, to) of a file dataset; {@code to} null means to the last column. */
    record Columns(int from, Integer to) implements Source {
      @Override public String toString() { return "columns[" + from + ":" + (to == null ? "" : to) + "]"; }
    }

    /** A file of the variable's own. */
    record OwnFile(String path) implements Source {
      @Override public String toString() { return "file \"" + path + "\""; }
    }
  }

  /**
   * A binding mistake of variable {@code input} (an index into the inputs); {@code atSource} when
   * it lies in the variable's {@code from} clause rather than its name.
   */
  public record Problem(int input, String message, boolean atSource) {}

  /** The sources of the inputs, in their order (null where there is a problem), and the problems. */
  public record Resolution(List<Source> sources, List<Problem> problems) {}

  public static Resolution resolve(List<DataInput> inputs, Description d) {
    int n = inputs.size();
    Source[] src = new Source[n];
    List<Problem> problems = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    boolean[] failed = new boolean[n];
    for (int i = 0; i < n; i++) {
      DataInput x = inputs.get(i);
      if (x.binding() == null) continue;
      String problem = null;
      if (x.binding() instanceof DataBinding.Part p) {
        PartInfo part = d.file() ? null : d.part(p.name());
        if (p.name().contains("[")) {
          problem = "a column range applies only to columns of a file dataset, as in `from columns[0:" + x.width() + "]`";
        } else if (d.file()) {
          problem = "the dataset " + d.name() + " is a file, which has no part '" + p.name() + "'; bind columns of it (`from columns[a:b]`)"
              + " or a file of " + x.name() + "'s own (`from \"FILE\"`)";
        } else if (part == null) {
          problem = "dataset " + d.name() + " has no part '" + p.name() + "'; its parts are " + d.partNames();
        } else {
          problem = fit(x, part, d);
          if (problem == null) src[i] = new Source.NamedPart(part, false);
          taken.add(part.name());
        }
      } else if (x.binding() instanceof DataBinding.Columns c) {
        int from = c.from() == null ? 0 : c.from();
        if (!d.file()) {
          problem = "`from " + c + "` takes columns of a file dataset, but " + d.name() + " is a named dataset with parts " + d.partNames();
        } else if (c.to() != null && c.to() <= from) {
          problem = c + " is empty: the end column must come after the start";
        } else if (c.to() != null && c.to() - from != x.width()) {
          problem = c + " holds " + (c.to() - from) + " columns but " + x.name() + " is declared " + x.type() + " (width " + x.width() + ")"
              + (x.singleOneHot() && c.to() - from == 1 ? "" : "; write `from columns[" + from + ":" + (from + x.width()) + "]`");
          if (x.singleOneHot() && c.to() - from == 1) problem = null;   // one column of class indices
        }
        if (problem == null && d.fileWidth() >= 0) problem = columnsInFile(x, from, c.to(), d);
        if (problem == null) src[i] = new Source.Columns(from, c.to());
      } else if (x.binding() instanceof DataBinding.File f) {
        src[i] = new Source.OwnFile(f.path());
      }
      if (problem != null) {
        problems.add(new Problem(i, problem, true));
        failed[i] = true;
      }
    }
    // A variable without a from clause takes the part with its own name.
    for (int i = 0; i < n; i++) {
      DataInput x = inputs.get(i);
      if (x.binding() != null || d.file()) continue;
      PartInfo part = d.part(x.name());
      if (part == null) continue;
      String problem = fit(x, part, d);
      taken.add(part.name());
      if (problem == null) src[i] = new Source.NamedPart(part, true);
      else {
        problems.add(new Problem(i, problem, false));
        failed[i] = true;
      }
    }
    List<Integer> left = new ArrayList<>();
    for (int i = 0; i < n; i++) if (src[i] == null && !failed[i]) left.add(i);
    String primary = d.file() ? null : d.parts().get(0).name();
    if (left.size() == 1 && (primary == null || !taken.contains(primary))) {
      int i = left.get(0);
      DataInput x = inputs.get(i);
      String problem;
      if (d.file()) {
        problem = d.fileWidth() < 0 || d.fileWidth() == x.width() || (x.singleOneHot() && d.fileWidth() == 1) ? null
            : d.name() + " has " + d.fileWidth() + " values per row but " + x.name() + " is declared " + x.type()
                + (d.fileWidth() > x.width() ? "; bind the columns it takes, e.g. `from columns[0:" + x.width() + "]`" : "");
        if (problem == null) src[i] = new Source.WholeFile();
      } else {
        PartInfo part = d.parts().get(0);
        problem = fit(x, part, d);
        if (problem == null) src[i] = new Source.NamedPart(part, true);
      }
      if (problem != null) problems.add(new Problem(i, problem, false));
    } else {
      for (int i : left) problems.add(new Problem(i, unbound(inputs.get(i), d, taken), false));
    }
    problems.sort((a, b) -> Integer.compare(a.input(), b.input()));
    return new Resolution(java.util.Arrays.asList(src), problems);
  }

  private static String unbound(DataInput x, Description d, Set<String> taken) {
    String head = "data '" + x.name() + "' is bound to nothing; ";
    if (d.file()) {
      return head + d.name() + " is one file, whose columns go by default to a single variable left unbound; write `data " + x.name()
          + " : " + x.type() + " from columns[a:b]` or `from \"FILE\"`";
    }
    PartInfo suggest = null;
    for (PartInfo p : d.parts()) if (suggest == null && !taken.contains(p.name()) && fit(x, p, d) == null) suggest = p;
    for (PartInfo p : d.parts()) if (suggest == null && fit(x, p, d) == null) suggest = p;
    for (PartInfo p : d.parts()) if (suggest == null && !taken.contains(p.name())) suggest = p;
    if (suggest == null) suggest = d.parts().get(0);
    String type = fit(x, suggest, d) == null ? x.type() : typeOf(suggest);
    return head + "parts of " + d.name() + ": " + d.partNames() + "; write `data " + x.name() + " : " + type + " from " + suggest.name() + "`";
  }

  /** Null when the variable can hold the part's values, else why not. */
  static String fit(DataInput x, PartInfo p, Description d) {
    boolean width = p.width() == x.width() || (x.singleOneHot() && p.width() == 1);
    // Binary data may come from [0, 1] intensities: dynamic binarization makes them 0/1 (checked when loading).
    boolean domain = x.domain().contains(p.domain()) || (x.domain() == ValueDomain.BINARY && p.domain() == ValueDomain.UNIT_INTERVAL);
    if (width && domain) return null;
    return "'" + x.name() + "' is declared " + x.type() + " but part '" + p.name() + "' of " + d.name() + " holds " + p.holds()
        + "; write `data " + x.name() + " : " + typeOf(p) + " from " + p.name() + "`";
  }

  private static String columnsInFile(DataInput x, int from, Integer to, Description d) {
    int end = to == null ? d.fileWidth() : to;
    if (end > d.fileWidth() || from >= d.fileWidth()) {
      return "columns[" + from + ":" + (to == null ? "" : to) + "] of '" + x.name() + "' reach past the " + d.fileWidth()
          + " columns of " + d.name();
    }
    if (end - from != x.width() && !(x.singleOneHot() && end - from == 1)) {
      return "columns[" + from + ":" + (to == null ? "" : to) + "] of " + d.name() + " are " + (end - from) + " columns but '" + x.name()
          + "' is declared " + x.type() + " (width " + x.width() + ")";
    }
    return null;
  }

  /** The declaration type that fits a part exactly. */
  public static String typeOf(PartInfo p) {
    return DataInput.typeText(p.domain(), p.width());
  }
}
