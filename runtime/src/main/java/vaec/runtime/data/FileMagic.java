package vaec.runtime.data;

/** The leading bytes by which data formats are recognised, independent of file names. */
final class FileMagic {
  private FileMagic() {}

  /** How many leading bytes the checks below need. */
  static final int PREFIX_LENGTH = 6;

  /** gzip members start with 1f 8b. */
  static boolean isGzip(byte[] head, int length) {
    return length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
  }

  /** NumPy .npy files start with \x93NUMPY. */
  static boolean isNpy(byte[] head, int length) {
    return length >= 6 && (head[0] & 0xFF) == 0x93 && head[1] == 'N' && head[2] == 'U'
        && head[3] == 'M' && head[4] == 'P' && head[5] == 'Y';
  }

  /**
   * IDX files start with two zero bytes, an element type code and a dimension count. A numeric
   * text file can never start with zero bytes, so this does not mistake CSV for IDX.
   */
  static boolean isIdx(byte[] head, int length) {
    return length >= 4 && head[0] == 0 && head[1] == 0 && IdxReader.isKnownType(head[2] & 0xFF)
        && (head[3] & 0xFF) >= 1;
  }
}
