package vaec.runtime.data;

import vaec.runtime.UserError;

/**
 * Checks that a dataset fits the data declaration of a model before training starts, so that a
 * mismatch is reported once, clearly, instead of as a shape error or a NaN loss later.
 */
public final class DataChecks {
  private DataChecks() {}

  /**
   * Throws a UserError unless {@code d} has at least one example, exactly {@code expectedWidth}
   * values per example, and only finite values inside {@code domain}. {@code declaration} is the
   * model's declaration as the user wrote it (e.g. {@code "x : real[784]"}), quoted in messages.
   * Rows and columns in messages count from 1.
   */
  public static void check(Dataset d, int expectedWidth, ValueDomain domain, String declaration) {
    check(d, expectedWidth, domain, expectedWidth, declaration);
  }

  /**
   * As {@link #check(Dataset, int, ValueDomain, String)}; one-hot data must also hold exactly one
   * 1 in every group of {@code groupSize} columns (every row, when the group is the width).
   */
  public static void check(Dataset d, int expectedWidth, ValueDomain domain, int groupSize, String declaration) {
    if (d.rows() == 0) {
      throw new UserError(d.origin() + " holds no examples");
    }
    if (d.width() != expectedWidth) {
      throw new UserError(d.origin() + ": each example has " + d.width()
          + " values but the model declares " + declaration);
    }
    float[] values = d.values();
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!Float.isFinite(v)) {
        throw new UserError(position(d, i) + " holds " + v
            + "; every value must be a finite number (the model declares " + declaration + ")");
      }
      if (!domain.admits(v)) {
        throw new UserError(position(d, i) + " holds " + v + ", which is outside " + domain
            + " as the model declares " + declaration + hint(domain, v));
      }
    }
    if (domain == ValueDomain.ONE_HOT && groupSize > 0 && expectedWidth % groupSize == 0) {
      for (int r = 0; r < d.rows(); r++) {
        for (int g = 0; g < expectedWidth; g += groupSize) {
          int ones = 0;
          for (int j = 0; j < groupSize; j++) ones += values[r * expectedWidth + g + j] == 1f ? 1 : 0;
          if (ones != 1) {
            throw new UserError(d.origin() + ": row " + (r + 1) + (groupSize == expectedWidth ? "" : ", columns " + (g + 1) + "-" + (g + groupSize))
                + " holds " + ones + " ones; one-hot data has exactly one 1 per " + (groupSize == expectedWidth ? "row" : "group")
                + " (the model declares " + declaration + ")");
          }
        }
      }
    }
  }

  private static String position(Dataset d, int index) {
    return d.origin() + ": row " + (index / d.width() + 1) + ", column " + (index % d.width() + 1);
  }

  /** The commonest cause of an out-of-domain value, when it is recognisable. */
  private static String hint(ValueDomain domain, float v) {
    if (domain == ValueDomain.UNIT_INTERVAL && v > 1f && v <= 255f && v == Math.rint(v)) {
      return " (pixel values 0..255 must be divided by 255)";
    }
    if (domain == ValueDomain.BINARY && v > 0f && v < 1f) {
      return " (to turn intensities in [0, 1] into 0/1 data, set binarize = dynamic or pass --binarize dynamic)";
    }
    if (domain == ValueDomain.COUNT) {
      return " (count data are whole numbers 0, 1, 2, ...)";
    }
    return "";
  }
}
