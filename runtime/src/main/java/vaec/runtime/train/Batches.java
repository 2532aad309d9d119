package vaec.runtime.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import vaec.runtime.data.Dataset;

/** A dataset held once as an ND4J matrix, from which batches are gathered into fixed buffers. */
final class Batches {
  final Dataset data;
  final INDArray all;

  Batches(Dataset data) {
    this.data = data;
    this.all = Nd4j.createFromArray(data.values()).reshape('c', data.rows(), data.width()).castTo(DataType.FLOAT);
  }

  /** Copies the rows {@code idx} into {@code target} (one native gather, no allocation of data). */
  void gather(int[] idx, INDArray target) {
    Nd4j.pullRows(all, target, 1, idx);
  }
}
