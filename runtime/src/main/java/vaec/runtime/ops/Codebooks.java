package vaec.runtime.ops;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access for the codebook ops (nearest-code search, lookup, EMA updates): reads and writes
 * of 2-D arrays through their data buffer, offset and strides, so that views (a codebook inside the
 * flat parameter vector, a column slice of an encoder output) need no copies and no per-element
 * index objects.
 */
final class Codebooks {
  private Codebooks() {}

  /** A 2-D (or 1-D, as one row) array's buffer, offset and strides. */
  record View(DataBuffer data, long offset, long rowStride, long colStride) {
    static View of(INDArray a) {
      // A view's data buffer already starts at the view's offset (ND4J M2 makes a buffer per view,
      // as Gemm notes), so indices into it start at 0.
      if (a.rank() == 1) return new View(a.data(), 0, 0, a.stride(0));
      return new View(a.data(), 0, a.stride(0), a.stride(1));
    }

    double get(long i, long j) { return data.getDouble(offset + i * rowStride + j * colStride); }

    void put(long i, long j, double v) { data.put(offset + i * rowStride + j * colStride, v); }

    /** Element {@code j} of a 1-D array. */
    double get(long j) { return get(0, j); }

    void put(long j, double v) { put(0, j, v); }
  }

  /** The code index stored at (row, position) of an index array, as an int. */
  static int code(View idx, long row, long position) { return (int) idx.get(row, position); }
}
