package vaec.runtime.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import vaec.runtime.UserError;

/**
 * Labels that some rows lack, for a one-hot variable observed on some rows only (the planned
 * semi-supervised models; see the README's "Planned: semi-supervised models"): one-hot rows with
 * <b>all zeros where the label is missing</b>, so that a row's sum is its mask (1 labelled, 0 not)
 * and no second table is needed.
 *
 * <p>A missing label is written {@code -1} or {@code nan} in a column of class indices, and as a
 * row of all zeros or all {@code nan} in one-hot columns. {@link #keep} hides all but N labels,
 * N / k per class, chosen with a seed (what {@code labelled = N} will do).
 */
public final class PartialLabels {
  private PartialLabels() {}

  /** One-hot rows, all zeros where the label is missing; {@code labelled} counts the rows with a label. */
  public record Labels(Dataset oneHot, int labelled) {
    public int classes() { return oneHot.width(); }

    /** The class of row {@code r}, or -1 when its label is missing. */
    public int classOf(int r) {
      int k = classes();
      float[] v = oneHot.values();
      for (int j = 0; j < k; j++) if (v[r * k + j] == 1f) return j;
      return -1;
    }

    /** The labelled rows of each class, in row order. */
    public int[] perClass() {
      int[] out = new int[classes()];
      for (int r = 0; r < oneHot.rows(); r++) {
        int c = classOf(r);
        if (c >= 0) out[c]++;
      }
      return out;
    }
  }

  /**
   * Labels read from {@code d}: one column of class indices 0..classes-1, or {@code classes}
   * one-hot columns. {@code declaration} names the variable in messages.
   */
  public static Labels read(Dataset d, int classes, String declaration) {
    if (classes < 2) throw new IllegalArgumentException("classes " + classes);
    if (d.width() == 1) return fromClassIndices(d, classes, declaration);
    if (d.width() == classes) return fromOneHot(d, declaration);
    throw new UserError(d.origin() + ": each example has " + d.width() + " values, but labels of " + classes + " classes are one column of"
        + " class indices or " + classes + " one-hot columns (for " + declaration + ")");
  }

  /** One column of class indices; {@code -1} or {@code nan} marks a missing label. */
  public static Labels fromClassIndices(Dataset d, int classes, String declaration) {
    if (d.width() != 1) throw new IllegalArgumentException("class indices come one per row, not " + d.width());
    float[] out = new float[d.rows() * classes];
    float[] v = d.values();
    int labelled = 0;
    for (int r = 0; r < d.rows(); r++) {
      float c = v[r];
      if (Float.isNaN(c) || c == -1f) continue;
      if (!(c >= 0 && c < classes && c == Math.rint(c))) {
        throw new UserError(d.origin() + ": row " + (r + 1) + " holds " + c + ", which is neither a class index 0.." + (classes - 1)
            + " nor a missing label (-1 or nan) (for " + declaration + ")");
      }
      out[r * classes + (int) c] = 1f;
      labelled++;
    }
    return new Labels(new Dataset(d.origin(), d.rows(), classes, out, 0, 0), labelled);
  }

  /** One-hot columns; a row of all zeros or all {@code nan} marks a missing label. */
  public static Labels fromOneHot(Dataset d, String declaration) {
    int k = d.width();
    float[] v = d.values();
    float[] out = new float[d.rows() * k];
    int labelled = 0;
    for (int r = 0; r < d.rows(); r++) {
      int ones = 0;
      int zeros = 0;
      int nans = 0;
      for (int j = 0; j < k; j++) {
        float x = v[r * k + j];
        if (x == 1f) ones++;
        else if (x == 0f) zeros++;
        else if (Float.isNaN(x)) nans++;
        else {
          throw new UserError(d.origin() + ": row " + (r + 1) + ", column " + (j + 1) + " holds " + x + "; one-hot labels are 0 or 1"
              + " (a missing label is a row of zeros or of nan) (for " + declaration + ")");
        }
      }
      if (nans == k || zeros == k) continue;
      if (nans > 0 || ones != 1) {
        throw new UserError(d.origin() + ": row " + (r + 1) + " holds " + ones + " ones" + (nans > 0 ? " and " + nans + " nan" : "")
            + "; a label is exactly one 1 and zeros, and a missing one a row of zeros or of nan (for " + declaration + ")");
      }
      System.arraycopy(v, r * k, out, r * k, k);
      labelled++;
    }
    return new Labels(new Dataset(d.origin(), d.rows(), k, out, 0, 0), labelled);
  }

  /**
   * {@code l} with all but {@code n} labels hidden: n / k labelled rows kept per class (the
   * remainder of n / k to the lowest classes), each class's rows chosen at random with
   * {@code seed}; the same seed keeps the same rows. Only rows that have a label can be kept. A
   * class with fewer labelled rows than its share is an error naming it.
   */
  public static Labels keep(Labels l, int n, long seed) {
    int k = l.classes();
    if (n < 0) throw new UserError("labelled = " + n + ": the number of labels to keep is a whole number, 0 or more");
    if (n > l.labelled()) {
      throw new UserError("labelled = " + n + ", but " + l.oneHot().origin() + " has " + l.labelled() + " labelled rows");
    }
    List<List<Integer>> rows = new ArrayList<>();
    for (int c = 0; c < k; c++) rows.add(new ArrayList<>());
    for (int r = 0; r < l.oneHot().rows(); r++) {
      int c = l.classOf(r);
      if (c >= 0) rows.get(c).add(r);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] out = new float[l.oneHot().values().length];
    for (int c = 0; c < k; c++) {
      int share = n / k + (c < n % k ? 1 : 0);
      List<Integer> mine = rows.get(c);
      if (mine.size() < share) {
        throw new UserError("labelled = " + n + " keeps " + share + " labels of class " + c + ", but " + l.oneHot().origin() + " has "
            + mine.size() + " labelled rows of that class; keep fewer labels");
      }
      // The first `share` of a seeded Fisher-Yates shuffle of the class's rows.
      int[] idx = mine.stream().mapToInt(Integer::intValue).toArray();
      for (int i = 0; i < share; i++) {
        int j = i + rng.nextInt(idx.length - i);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        out[idx[i] * k + c] = 1f;
      }
    }
    Dataset d = l.oneHot();
    return new Labels(new Dataset(d.origin() + " (" + n + " labels kept)", d.rows(), k, out, 0, 0), n);
  }

  /** As {@link #keep} with n = round(fraction x rows), for {@code labelled_fraction}; fraction in [0, 1]. */
  public static Labels keepFraction(Labels l, double fraction, long seed) {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new UserError("labelled_fraction = " + fraction + ": the share of rows that keep their label is a number from 0 to 1");
    }
    return keep(l, (int) Math.round(fraction * l.oneHot().rows()), seed);
  }
}
