package vaec.cli;

import vaec.runtime.data.BoundData;
import vaec.runtime.data.ClassIndices;
import vaec.runtime.data.DataInput;
import vaec.runtime.data.NamedDatasets;
import vaec.runtime.model.CompiledModel;

/**
 * The labels of the test examples, where the data have them: what {@code vaec encode} writes
 * beside each guide mean and what colours the run's latents.png.
 */
final class TestLabels {
  private TestLabels() {}

  /**
   * The test examples' labels as class indices, one per row of {@code test}: a named dataset's
   * labels, or else those of the model's one-hot data variable when it has exactly one; null when
   * there are none.
   */
  static int[] of(CompiledModel m, BoundData test) {
    if (NamedDatasets.names().contains(m.config().dataset())) {
      int[] labels = ClassIndices.of(NamedDatasets.load(m.config().dataset(), NamedDatasets.LABELS).test());
      // The named dataset's test labels are row for row its test images, which are the test rows here.
      return labels.length == test.rows() ? labels : null;
    }
    var oneHot = m.data().stream().filter(DataInput::singleOneHot).toList();
    return oneHot.size() == 1 ? ClassIndices.of(test.get(oneHot.get(0).name())) : null;
  }
}
