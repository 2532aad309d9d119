package vaec.runtime.data;

import vaec.runtime.UserError;

/** Labels stored as one class index per row (as IDX label files and most .npy label arrays are). */
public final class ClassIndices {
  private ClassIndices() {}

  /**
   * Rows of one value each, a whole number in 0..classes-1, as one-hot rows of width
   * {@code classes}. {@code declaration} names what the values are for, in messages.
   */
  public static Dataset toOneHot(Dataset d, int classes, String origin, String declaration) {
    if (d.width() != 1) throw new IllegalArgumentException("class indices come one per row, not " + d.width());
    float[] out = new float[d.rows() * classes];
    float[] v = d.values();
    for (int r = 0; r < d.rows(); r++) {
      float c = v[r];
      if (Float.isNaN(c) || c == -1f) {
        // The marks PartialLabels reads as a missing label: say so rather than "not a class index".
        throw new UserError(d.origin() + ": row " + (r + 1) + " holds " + c + ", a missing label, but every row of data needs one (for "
            + declaration + "); drop the rows without a label");
      }
      if (!(c >= 0 && c < classes && c == Math.rint(c))) {
        throw new UserError(d.origin() + ": row " + (r + 1) + " holds " + c + ", which is not a class index 0.." + (classes - 1)
            + " (for " + declaration + ")");
      }
      out[r * classes + (int) c] = 1f;
    }
    return new Dataset(origin, d.rows(), classes, out, 0, 0);
  }

  /** The class of each one-hot row (the column of its largest value). */
  public static int[] of(Dataset oneHot) {
    int[] out = new int[oneHot.rows()];
    float[] v = oneHot.values();
    int w = oneHot.width();
    for (int r = 0; r < oneHot.rows(); r++) {
      int best = 0;
      for (int j = 1; j < w; j++) if (v[r * w + j] > v[r * w + best]) best = j;
      out[r] = best;
    }
    return out;
  }
}
