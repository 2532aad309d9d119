package vaec.compiler.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import vaec.compiler.Diagnostics;
import vaec.compiler.Span;
import vaec.compiler.ast.Ast;
import vaec.compiler.ir.Variable;
import vaec.runtime.data.DataBinder;
import vaec.runtime.data.DataBinding;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.NamedDatasets;
import vaec.runtime.model.TrainConfig;

/**
 * The model's data variables as the runtime sees them ({@link DataInput}: width, domain, where
 * the values come from, scored or a conditioning input), and the compile-time check of their
 * bindings against the model's own dataset. Bindings are resolved again when the data is loaded,
 * since {@code --dataset} may name another; checking here too puts mistakes at file:line:col.
 */
public final class DataBindings {
  private DataBindings() {}

  /** The data variables in declaration order; {@code scored} names those a likelihood scores. */
  public static List<DataInput> inputs(Symbols s, List<Variable> data, Set<String> scored) {
    List<DataInput> out = new ArrayList<>();
    for (Variable v : data) {
      Ast.VarDecl decl = s.data().get(v.name());
      out.add(new DataInput(v.name(), v.width(), v.domain(), v.groupSize(), binding(decl.source()), scored.contains(v.name()),
          v.declaration(), v.span() == null ? 0 : v.span().line()));
    }
    return out;
  }

  static DataBinding binding(Ast.Source src) {
    if (src == null) return null;
    if (src instanceof Ast.PartSource p) return new DataBinding.Part(p.part());
    if (src instanceof Ast.ColumnsSource c) return new DataBinding.Columns(c.from(), c.to());
    return new DataBinding.File(((Ast.FileSource) src).path());
  }

  /**
   * Reports binding mistakes: against the train section's dataset when it names a named one
   * (whose parts are known without reading it), and otherwise column ranges that cannot fit their
   * variable.
   */
  static void check(Symbols s, List<DataInput> inputs, TrainConfig train, Diagnostics diags) {
    List<Ast.VarDecl> decls = new ArrayList<>();
    for (DataInput x : inputs) decls.add(s.data().get(x.name()));
    // Only a dataset the train section names is the model's own; the default is a guess of ours.
    boolean named = s.train() != null && s.train().settings().stream().anyMatch(t -> t.key().equals("dataset"));
    if (named && NamedDatasets.names().contains(train.dataset())) {
      DataBinder.Resolution r = DataBinder.resolve(inputs, NamedDatasets.describe(train.dataset()));
      for (DataBinder.Problem p : r.problems()) {
        Ast.VarDecl d = decls.get(p.input());
        Span at = p.atSource() && d.source() != null ? d.source().span() : d.nameSpan();
        diags.error(at, p.message(), "the train section's dataset is " + train.dataset());
      }
      return;
    }
    for (int i = 0; i < inputs.size(); i++) {
      DataInput x = inputs.get(i);
      if (!(decls.get(i).source() instanceof Ast.ColumnsSource c) || c.to() == null) continue;
      int from = c.from() == null ? 0 : c.from();
      if (c.to() <= from) {
        diags.error(c.span(), "columns[" + from + ":" + c.to() + "] is empty: the end column must come after the start");
      } else if (c.to() - from != x.width() && !(x.singleOneHot() && c.to() - from == 1)) {
        diags.error(c.span(), "columns[" + from + ":" + c.to() + "] are " + (c.to() - from) + " columns but '" + x.name() + "' is declared "
            + x.type() + " (width " + x.width() + ")", "write `from columns[" + from + ":" + (from + x.width()) + "]`");
      }
    }
  }

  /** How each variable is bound, for {@code vaec compile}: resolved against a named dataset, else as written. */
  public static List<String> describe(List<DataInput> inputs, TrainConfig train) {
    List<String> out = new ArrayList<>();
    if (inputs.stream().anyMatch(vaec.runtime.data.TokenData::isTokens)) {
      for (DataInput x : inputs) {
        String from = x.binding() instanceof vaec.runtime.data.DataBinding.File f ? f.path() : train.dataset();
        // A picture dataset (the default one, when the train block names none) holds no text: say so rather than "from mnist_digits".
        if (NamedDatasets.names().contains(from)) out.add("no text to read: " + vaec.runtime.data.TokenData.notText(x, from));
        else out.add("from " + from + " (" + (vaec.runtime.data.TokenData.words(x) ? "words" : "characters") + ")");
      }
      return out;
    }
    if (NamedDatasets.names().contains(train.dataset())) {
      DataBinder.Resolution r = DataBinder.resolve(inputs, NamedDatasets.describe(train.dataset()));
      for (int i = 0; i < inputs.size(); i++) {
        DataBinder.Source src = r.sources().get(i);
        DataInput x = inputs.get(i);
        out.add(src != null ? "from " + train.dataset() + " " + src
            : x.binding() != null ? "from " + x.binding() : "bound when the data is loaded (the default rule)");
      }
      return out;
    }
    long unbound = inputs.stream().filter(x -> x.binding() == null).count();
    for (DataInput x : inputs) {
      out.add(x.binding() != null ? "from " + x.binding() : unbound == 1 ? "from the whole file (by default)" : "unbound");
    }
    return out;
  }
}
