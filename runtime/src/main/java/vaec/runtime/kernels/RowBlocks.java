package vaec.runtime.kernels;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loops over blocks of rows for values stacked along the rows (the branches of an enumerated
 * latent, see {@link vaec.runtime.ops.RepeatRows}): a matrix of {@code k * r} rows is {@code k}
 * blocks of {@code r} rows. Each reads and writes the matrices' memory directly through NIO views
 * of their data (from the matrix's offset, honouring strides, so a column slice is fine) and makes
 * no ND4J buffers.
 */
public final class RowBlocks {
  private RowBlocks() {}

  /** out (k r x w) = in (r x w) repeated k times, block after block. */
  public static void repeat(INDArray in, INDArray out) {
    int r = (int) in.rows();
    int w = (int) in.columns();
    int k = (int) (out.rows() / r);
    long is0 = in.stride(0), is1 = in.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(in);
      FloatBuffer o = f(out);
      if (is1 == 1 && os1 == 1) {   // rows of unit stride: one bulk copy per row
        for (int b = 0; b < k; b++) for (int i = 0; i < r; i++) o.put((int) ((long) (b * r + i) * os0), a, (int) (i * is0), w);
        return;
      }
      for (int b = 0; b < k; b++) {
        for (int i = 0; i < r; i++) {
          long src = i * is0;
          long dst = (long) (b * r + i) * os0;
          for (int j = 0; j < w; j++) o.put((int) (dst + j * os1), a.get((int) (src + j * is1)));
        }
      }
    } else {
      DoubleBuffer a = d(in);
      DoubleBuffer o = d(out);
      for (int b = 0; b < k; b++) {
        for (int i = 0; i < r; i++) {
          long src = i * is0;
          long dst = (long) (b * r + i) * os0;
          for (int j = 0; j < w; j++) o.put((int) (dst + j * os1), a.get((int) (src + j * is1)));
        }
      }
    }
  }

  /** out (r x w) = the sum of the k blocks of in (k r x w). */
  public static void sumBlocks(INDArray in, INDArray out) {
    int r = (int) out.rows();
    int w = (int) out.columns();
    int k = (int) (in.rows() / r);
    long is0 = in.stride(0), is1 = in.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    if (out.dataType() == DataType.FLOAT && is1 == 1 && os1 == 1 && VectorApi.ON && w > 0) {
      VectorApi.KERNELS.sumBlocks(in, out, r, w, k);
      return;
    }
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(in);
      FloatBuffer o = f(out);
      if (is1 == 1 && os1 == 1) {   // rows of unit stride: the first block copied, the others added row by row
        for (int i = 0; i < r; i++) o.put((int) (i * os0), a, (int) (i * is0), w);
        for (int b = 1; b < k; b++) {
          for (int i = 0; i < r; i++) {
            int src = (int) ((long) (b * r + i) * is0);
            int dst = (int) (i * os0);
            for (int j = 0; j < w; j++) o.put(dst + j, o.get(dst + j) + a.get(src + j));
          }
        }
        return;
      }
      for (int i = 0; i < r; i++) {
        long dst = i * os0;
        for (int j = 0; j < w; j++) {
          float s = 0;
          for (int b = 0; b < k; b++) s += a.get((int) ((long) (b * r + i) * is0 + j * is1));
          o.put((int) (dst + j * os1), s);
        }
      }
    } else {
      DoubleBuffer a = d(in);
      DoubleBuffer o = d(out);
      for (int i = 0; i < r; i++) {
        long dst = i * os0;
        for (int j = 0; j < w; j++) {
          double s = 0;
          for (int b = 0; b < k; b++) s += a.get((int) ((long) (b * r + i) * is0 + j * is1));
          o.put((int) (dst + j * os1), s);
        }
      }
    }
  }

  /** out (r x 1) = sum over the k blocks of w * f (both k r x 1), row by row. */
  public static void weightedSum(INDArray w, INDArray f, INDArray out) {
    int r = (int) out.rows();
    int k = (int) (w.rows() / r);
    long ws = w.stride(0), fs = f.stride(0), os = out.stride(0);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(w), b = f(f), o = f(out);
      for (int i = 0; i < r; i++) {
        float s = 0;
        for (int j = 0; j < k; j++) s += a.get((int) ((long) (j * r + i) * ws)) * b.get((int) ((long) (j * r + i) * fs));
        o.put((int) (i * os), s);
      }
    } else {
      DoubleBuffer a = d(w), b = d(f), o = d(out);
      for (int i = 0; i < r; i++) {
        double s = 0;
        for (int j = 0; j < k; j++) s += a.get((int) ((long) (j * r + i) * ws)) * b.get((int) ((long) (j * r + i) * fs));
        o.put((int) (i * os), s);
      }
    }
  }

  /** out (k r x 1) = g (r x 1) repeated over the blocks, times x (k r x 1): the gradient of a weighted block sum. */
  public static void scaleByRepeated(INDArray g, INDArray x, INDArray out) {
    int r = (int) g.rows();
    int k = (int) (x.rows() / r);
    long gs = g.stride(0), xs = x.stride(0), os = out.stride(0);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(g), b = f(x), o = f(out);
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < r; i++) {
          int at = j * r + i;
          o.put((int) (at * os), a.get((int) (i * gs)) * b.get((int) (at * xs)));
        }
      }
    } else {
      DoubleBuffer a = d(g), b = d(x), o = d(out);
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < r; i++) {
          int at = j * r + i;
          o.put((int) (at * os), a.get((int) (i * gs)) * b.get((int) (at * xs)));
        }
      }
    }
  }

  /** out (k r x w): block j holds {@code values[j]} in every row. */
  public static void fillBlocks(double[][] values, INDArray out) {
    int k = values.length;
    int r = (int) (out.rows() / k);
    int w = (int) out.columns();
    long os0 = out.stride(0), os1 = out.stride(1);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer o = f(out);
      for (int b = 0; b < k; b++) {
        for (int i = 0; i < r; i++) for (int j = 0; j < w; j++) o.put((int) ((long) (b * r + i) * os0 + j * os1), (float) values[b][j]);
      }
    } else {
      DoubleBuffer o = d(out);
      for (int b = 0; b < k; b++) {
        for (int i = 0; i < r; i++) for (int j = 0; j < w; j++) o.put((int) ((long) (b * r + i) * os0 + j * os1), values[b][j]);
      }
    }
  }

  /** Block {@code j} of out (k r x w) = in (r x w). */
  public static void copyToBlock(INDArray in, int j, INDArray out) {
    int r = (int) in.rows();
    int w = (int) in.columns();
    long is0 = in.stride(0), is1 = in.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    long base = (long) j * r * os0;
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(in);
      FloatBuffer o = f(out);
      if (is1 == 1 && os1 == 1) {
        for (int i = 0; i < r; i++) o.put((int) (base + i * os0), a, (int) (i * is0), w);
        return;
      }
      for (int i = 0; i < r; i++) for (int c = 0; c < w; c++) o.put((int) (base + i * os0 + c * os1), a.get((int) (i * is0 + c * is1)));
    } else {
      DoubleBuffer a = d(in);
      DoubleBuffer o = d(out);
      for (int i = 0; i < r; i++) for (int c = 0; c < w; c++) o.put((int) (base + i * os0 + c * os1), a.get((int) (i * is0 + c * is1)));
    }
  }

  /** out (r x w) = block {@code j} of in (k r x w). */
  public static void copyFromBlock(INDArray in, int j, INDArray out) {
    int r = (int) out.rows();
    int w = (int) out.columns();
    long is0 = in.stride(0), is1 = in.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    long base = (long) j * r * is0;
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(in);
      FloatBuffer o = f(out);
      if (is1 == 1 && os1 == 1) {
        for (int i = 0; i < r; i++) o.put((int) (i * os0), a, (int) (base + i * is0), w);
        return;
      }
      for (int i = 0; i < r; i++) for (int c = 0; c < w; c++) o.put((int) (i * os0 + c * os1), a.get((int) (base + i * is0 + c * is1)));
    } else {
      DoubleBuffer a = d(in);
      DoubleBuffer o = d(out);
      for (int i = 0; i < r; i++) for (int c = 0; c < w; c++) o.put((int) (i * os0 + c * os1), a.get((int) (base + i * is0 + c * is1)));
    }
  }

  /** out (r x w) = sum over the k blocks of in (k r x w) of coefficients[j] times block j, added in block order. */
  public static void combine(double[] coefficients, INDArray in, INDArray out) {
    int k = coefficients.length;
    int r = (int) out.rows();
    int w = (int) out.columns();
    long is0 = in.stride(0), is1 = in.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(in);
      FloatBuffer o = f(out);
      for (int i = 0; i < r; i++) {
        for (int c = 0; c < w; c++) {
          float s = 0;
          for (int j = 0; j < k; j++) {
            if (coefficients[j] != 0) s += (float) coefficients[j] * a.get((int) ((long) (j * r + i) * is0 + c * is1));
          }
          o.put((int) (i * os0 + c * os1), s);
        }
      }
    } else {
      DoubleBuffer a = d(in);
      DoubleBuffer o = d(out);
      for (int i = 0; i < r; i++) {
        for (int c = 0; c < w; c++) {
          double s = 0;
          for (int j = 0; j < k; j++) {
            if (coefficients[j] != 0) s += coefficients[j] * a.get((int) ((long) (j * r + i) * is0 + c * is1));
          }
          o.put((int) (i * os0 + c * os1), s);
        }
      }
    }
  }

  /** out (k r x w): block j = coefficients[j] times g (r x w), the gradient of {@link #combine}. */
  public static void spread(double[] coefficients, INDArray g, INDArray out) {
    int k = coefficients.length;
    int r = (int) g.rows();
    int w = (int) g.columns();
    long gs0 = g.stride(0), gs1 = g.stride(1), os0 = out.stride(0), os1 = out.stride(1);
    if (out.dataType() == DataType.FLOAT) {
      FloatBuffer a = f(g);
      FloatBuffer o = f(out);
      for (int j = 0; j < k; j++) {
        float cj = (float) coefficients[j];
        for (int i = 0; i < r; i++) {
          for (int c = 0; c < w; c++) o.put((int) ((long) (j * r + i) * os0 + c * os1), cj * a.get((int) (i * gs0 + c * gs1)));
        }
      }
    } else {
      DoubleBuffer a = d(g);
      DoubleBuffer o = d(out);
      for (int j = 0; j < k; j++) {
        double cj = coefficients[j];
        for (int i = 0; i < r; i++) {
          for (int c = 0; c < w; c++) o.put((int) ((long) (j * r + i) * os0 + c * os1), cj * a.get((int) (i * gs0 + c * gs1)));
        }
      }
    }
  }

  private static FloatBuffer f(INDArray x) {
    if (x.dataType() != DataType.FLOAT) throw new IllegalArgumentException("expected float32, got " + x.dataType());
    // NIO views cover the whole underlying buffer; a view starts at its offset into it.
    return Handles.slice(x);   // made once per array and thread (asNioFloat makes new buffer objects each call)
  }

  private static DoubleBuffer d(INDArray x) {
    if (x.dataType() != DataType.DOUBLE) throw new IllegalArgumentException("expected float32 or float64, got " + x.dataType());
    return x.data().asNioDouble().position((int) x.offset()).slice();
  }
}
