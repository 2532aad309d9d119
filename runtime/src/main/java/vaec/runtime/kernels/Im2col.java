package vaec.runtime.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The host-side pieces of a convolution done as one matrix product: unfolding an image batch into
 * columns (im2col), folding columns back with accumulation (col2im), and moving a batch between
 * the graph's example-major layout [B][C][P] and the channel-major [C][B*P] a single gemm wants.
 * Images are [B][C][H][W]; a column matrix is [C*k*k][B*P] over the P = OH*OW kernel positions,
 * row (c, u, v) holding input (c, oh*s - pad + u, ow*s - pad + v) for every (example, oh, ow),
 * zero outside the image. Float and double versions, as the graph's dtype asks; arrays are the
 * caller's, reused across steps.
 */
public final class Im2col {
  private Im2col() {}

  /** Unfolds img (batch images of c x h x w) into colT, positions oh x ow. */
  public static void im2col(float[] img, int batch, int c, int h, int w, int k, int s, int pad, int oh, int ow, float[] colT) {
    int p = oh * ow;
    int bp = batch * p;
    for (int ch = 0; ch < c; ch++) {
      for (int u = 0; u < k; u++) {
        for (int v = 0; v < k; v++) {
          int row = ((ch * k + u) * k + v) * bp;
          for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * h * w;
            int o = row + n * p;
            for (int i = 0; i < oh; i++) {
              int y = i * s - pad + u;
              if (y < 0 || y >= h) {
                java.util.Arrays.fill(colT, o + i * ow, o + (i + 1) * ow, 0f);
                continue;
              }
              int src = base + y * w;
              int dst = o + i * ow;
              for (int j = 0; j < ow; j++) {
                int x = j * s - pad + v;
                colT[dst + j] = x < 0 || x >= w ? 0f : img[src + x];
              }
            }
          }
        }
      }
    }
  }

  public static void im2col(double[] img, int batch, int c, int h, int w, int k, int s, int pad, int oh, int ow, double[] colT) {
    int p = oh * ow;
    int bp = batch * p;
    for (int ch = 0; ch < c; ch++) {
      for (int u = 0; u < k; u++) {
        for (int v = 0; v < k; v++) {
          int row = ((ch * k + u) * k + v) * bp;
          for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * h * w;
            int o = row + n * p;
            for (int i = 0; i < oh; i++) {
              int y = i * s - pad + u;
              if (y < 0 || y >= h) {
                java.util.Arrays.fill(colT, o + i * ow, o + (i + 1) * ow, 0.0);
                continue;
              }
              int src = base + y * w;
              int dst = o + i * ow;
              for (int j = 0; j < ow; j++) {
                int x = j * s - pad + v;
                colT[dst + j] = x < 0 || x >= w ? 0.0 : img[src + x];
              }
            }
          }
        }
      }
    }
  }

  /** img = the sum of colT's entries over the positions that read each pixel (img overwritten). */
  public static void col2im(float[] colT, int batch, int c, int h, int w, int k, int s, int pad, int oh, int ow, float[] img) {
    java.util.Arrays.fill(img, 0, batch * c * h * w, 0f);
    int p = oh * ow;
    int bp = batch * p;
    for (int ch = 0; ch < c; ch++) {
      for (int u = 0; u < k; u++) {
        for (int v = 0; v < k; v++) {
          int row = ((ch * k + u) * k + v) * bp;
          for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * h * w;
            int o = row + n * p;
            for (int i = 0; i < oh; i++) {
              int y = i * s - pad + u;
              if (y < 0 || y >= h) continue;
              int dst = base + y * w;
              int src = o + i * ow;
              for (int j = 0; j < ow; j++) {
                int x = j * s - pad + v;
                if (x >= 0 && x < w) img[dst + x] += colT[src + j];
              }
            }
          }
        }
      }
    }
  }

  public static void col2im(double[] colT, int batch, int c, int h, int w, int k, int s, int pad, int oh, int ow, double[] img) {
    java.util.Arrays.fill(img, 0, batch * c * h * w, 0.0);
    int p = oh * ow;
    int bp = batch * p;
    for (int ch = 0; ch < c; ch++) {
      for (int u = 0; u < k; u++) {
        for (int v = 0; v < k; v++) {
          int row = ((ch * k + u) * k + v) * bp;
          for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * h * w;
            int o = row + n * p;
            for (int i = 0; i < oh; i++) {
              int y = i * s - pad + u;
              if (y < 0 || y >= h) continue;
              int dst = base + y * w;
              int src = o + i * ow;
              for (int j = 0; j < ow; j++) {
                int x = j * s - pad + v;
                if (x >= 0 && x < w) img[dst + x] += colT[src + j];
              }
            }
          }
        }
      }
    }
  }

  /** [B][C][P] to [C][B*P]. */
  public static void toChannelMajor(float[] src, int batch, int c, int p, float[] dst) {
    for (int n = 0; n < batch; n++) for (int ch = 0; ch < c; ch++) System.arraycopy(src, (n * c + ch) * p, dst, (ch * batch + n) * p, p);
  }

  public static void toChannelMajor(double[] src, int batch, int c, int p, double[] dst) {
    for (int n = 0; n < batch; n++) for (int ch = 0; ch < c; ch++) System.arraycopy(src, (n * c + ch) * p, dst, (ch * batch + n) * p, p);
  }

  /** [C][B*P] to [B][C][P]. */
  public static void toExampleMajor(float[] src, int batch, int c, int p, float[] dst) {
    for (int n = 0; n < batch; n++) for (int ch = 0; ch < c; ch++) System.arraycopy(src, (ch * batch + n) * p, dst, (n * c + ch) * p, p);
  }

  public static void toExampleMajor(double[] src, int batch, int c, int p, double[] dst) {
    for (int n = 0; n < batch; n++) for (int ch = 0; ch < c; ch++) System.arraycopy(src, (ch * batch + n) * p, dst, (n * c + ch) * p, p);
  }

  /** Copies a matrix (any row pitch, unit column stride) or a vector into a host array, row by row. */
  public static void read(INDArray m, Object dst) {
    int rows = m.rank() == 1 ? 1 : (int) m.rows();
    int cols = m.rank() == 1 ? (int) m.length() : (int) m.columns();
    long pitch = m.rank() == 1 || rows == 1 ? cols : m.stride(0);
    checkUnitColumns(m);
    if (m.dataType() == DataType.FLOAT) {
      FloatPointer fp = new FloatPointer(m.data().addressPointer());
      if (pitch == cols) fp.get((float[]) dst, 0, rows * cols);
      else for (int r = 0; r < rows; r++) fp.position(r * pitch).get((float[]) dst, r * cols, cols);
    } else {
      DoublePointer dp = new DoublePointer(m.data().addressPointer());
      if (pitch == cols) dp.get((double[]) dst, 0, rows * cols);
      else for (int r = 0; r < rows; r++) dp.position(r * pitch).get((double[]) dst, r * cols, cols);
    }
  }

  /** Copies a host array into a matrix (any row pitch, unit column stride) or a vector, row by row. */
  public static void write(Object src, INDArray m) {
    int rows = m.rank() == 1 ? 1 : (int) m.rows();
    int cols = m.rank() == 1 ? (int) m.length() : (int) m.columns();
    long pitch = m.rank() == 1 || rows == 1 ? cols : m.stride(0);
    checkUnitColumns(m);
    if (m.dataType() == DataType.FLOAT) {
      FloatPointer fp = new FloatPointer(m.data().addressPointer());
      if (pitch == cols) fp.put((float[]) src, 0, rows * cols);
      else for (int r = 0; r < rows; r++) fp.position(r * pitch).put((float[]) src, r * cols, cols);
    } else {
      DoublePointer dp = new DoublePointer(m.data().addressPointer());
      if (pitch == cols) dp.put((double[]) src, 0, rows * cols);
      else for (int r = 0; r < rows; r++) dp.position(r * pitch).put((double[]) src, r * cols, cols);
    }
  }

  private static void checkUnitColumns(INDArray m) {
    if (m.ordering() != 'c' && m.rank() == 2 && m.rows() > 1 && m.columns() > 1) {
      throw new IllegalArgumentException("im2col: expected a row-major matrix, got " + m.shapeInfoToString());
    }
    if (m.rank() == 2 && m.columns() > 1 && m.stride(1) != 1) throw new IllegalArgumentException("im2col: column stride " + m.stride(1));
    if (m.rank() == 1 && m.length() > 1 && m.stride(0) != 1) throw new IllegalArgumentException("im2col: vector stride " + m.stride(0));
  }
}
