package vaec.runtime.kernels;

/**
 * The shapes of one 2-D convolution or transposed convolution over square kernels, with images
 * stored flat and channel-major (an example is a row of C*H*W values, channel by channel, each
 * channel row by row: NCHW). A convolution maps C x H x W to outC x OH x OW with
 * OH = (H + 2 padding - kernel) / stride + 1; a transposed convolution, its gradient with respect
 * to the input, maps back with OH = (H - 1) stride - 2 padding + kernel (PyTorch's
 * ConvTranspose2d without output padding).
 */
public record ConvGeometry(int inC, int inH, int inW, int outC, int kernel, int stride, int padding, boolean transposed) {

  public ConvGeometry {
    String why = problem(inC, inH, inW, outC, kernel, stride, padding, transposed);
    if (why != null) throw new IllegalArgumentException(why);
  }

  /** Why these numbers give no valid convolution (a user-facing reason), or null. */
  public static String problem(int inC, int inH, int inW, int outC, int kernel, int stride, int padding, boolean transposed) {
    if (inC < 1 || inH < 1 || inW < 1) return "the input image " + inC + "x" + inH + "x" + inW + " is empty";
    if (outC < 1) return "the number of output channels must be at least 1, got " + outC;
    if (kernel < 1) return "the kernel size must be at least 1, got " + kernel;
    if (stride < 1) return "the stride must be at least 1, got " + stride;
    if (padding < 0) return "the padding must not be negative, got " + padding;
    if (transposed) {
      long oh = (long) (inH - 1) * stride - 2L * padding + kernel;
      long ow = (long) (inW - 1) * stride - 2L * padding + kernel;
      if (oh < 1 || ow < 1) {
        return "a transposed convolution with kernel " + kernel + ", stride " + stride + ", padding " + padding + " maps "
            + inC + "x" + inH + "x" + inW + " to an empty image (" + oh + "x" + ow + ")";
      }
      return null;
    }
    if (padding >= kernel) return "the padding (" + padding + ") must be smaller than the kernel (" + kernel + ")";
    long spanH = inH + 2L * padding - kernel;
    long spanW = inW + 2L * padding - kernel;
    if (spanH < 0 || spanW < 0) {
      return "a " + kernel + "x" + kernel + " kernel with padding " + padding + " does not fit in a " + inH + "x" + inW + " image";
    }
    if (spanH % stride != 0 || spanW % stride != 0) {
      return "kernel " + kernel + ", stride " + stride + ", padding " + padding + " do not tile a " + inH + "x" + inW
          + " image: (" + inH + " + 2*" + padding + " - " + kernel + ") / " + stride + " + 1 = "
          + fraction(spanH, stride) + " rows; choose a padding or stride that makes it whole";
    }
    return null;
  }

  private static String fraction(long span, int stride) {
    return String.format(java.util.Locale.ROOT, "%.4g", span / (double) stride + 1);
  }

  public int outH() { return transposed ? (inH - 1) * stride - 2 * padding + kernel : (inH + 2 * padding - kernel) / stride + 1; }
  public int outW() { return transposed ? (inW - 1) * stride - 2 * padding + kernel : (inW + 2 * padding - kernel) / stride + 1; }
  public int inWidth() { return inC * inH * inW; }
  public int outWidth() { return outC * outH() * outW(); }

  /**
   * The weight, stored as a matrix: [outC, inC * k * k] for a convolution (PyTorch's Conv2d
   * layout, [outC, inC, k, k], flattened), [inC, outC * k * k] for a transposed one (PyTorch's
   * ConvTranspose2d layout [inC, outC, k, k]).
   */
  public long[] weightShape() {
    long kk = (long) kernel * kernel;
    return transposed ? new long[] {inC, outC * kk} : new long[] {outC, inC * kk};
  }

  /** Fan-in for PyTorch's default initialization bound 1/sqrt(fan_in). */
  public int fanIn() { return (transposed ? outC : inC) * kernel * kernel; }

  public long parameterCount() { return (long) inC * outC * kernel * kernel + outC; }

  /** "32x14x14". */
  public String outShape() { return outC + "x" + outH() + "x" + outW(); }

  public String inShape() { return inC + "x" + inH + "x" + inW; }
}
