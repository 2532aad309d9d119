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
  }

  private static String position(Dataset d, int index) {
    return d.origin() + ": row " + (index / d.width() + 1) + ", column " + (index % d.width() + 1);
  }

  /** The commonest cause of an out-of-domain value, when it is recognisable. */
  private static String hint(ValueDomain domain, float v) {
    if (domain == ValueDomain.UNIT_INTERVAL && v > 1f && v <= 255f && v == Math.rint(v)) {
      return " (pixel values 0..255 must be divided by 255)";
    }
    return "";
  }
}
