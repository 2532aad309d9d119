package vaec.cli;

import vaec.runtime.data.BoundData;
import vaec.runtime.data.DataBinder;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.Dataset;
import vaec.runtime.data.NamedDatasets;
import vaec.runtime.model.CompiledModel;

/**
 * Which scored variable the sample and reconstruction pictures show, and as what shape: the
 * variable whose data are images (bound to a dataset's images, or read from an image file),
 * else the first scored variable whose width is a square; null when none can be drawn.
 */
record Pictures(String variable, int height, int width) {

  static Pictures choose(CompiledModel m, BoundData data) {
    if (data != null) {
      for (DataInput x : m.scored()) {
        Dataset d = data.get(x.name());
        if (d.isImage()) return new Pictures(x.name(), d.imageHeight(), d.imageWidth());
      }
    }
    if (NamedDatasets.names().contains(m.config().dataset())) {
      var r = DataBinder.resolve(m.data(), NamedDatasets.describe(m.config().dataset()));
      for (int i = 0; i < m.data().size(); i++) {
        if (m.data().get(i).scored() && r.sources().get(i) instanceof DataBinder.Source.NamedPart p
            && p.part().name().equals(NamedDatasets.IMAGES) && m.data().get(i).width() == 784) {
          return new Pictures(m.data().get(i).name(), 28, 28);
        }
      }
    }
    for (DataInput x : m.scored()) {
      if (x.domain() == vaec.runtime.data.ValueDomain.TOKENS) continue;
      int side = (int) Math.round(Math.sqrt(x.width()));
      if (side > 1 && side * side == x.width()) return new Pictures(x.name(), side, side);
    }
    return null;
  }

  /** The variable whose likelihood means sample writes when nothing can be drawn: the first scored one. */
  static String firstScored(CompiledModel m) {
    return m.scored().get(0).name();
  }
}
