package vaec.stdlib.sivi;

/** An unnormalized log-density log p(x, z) over z in R^d, with its gradient in z. */
public interface Target {
  int dimension();

  /** log p(x, z); writes d/dz into {@code grad} when it is not null. */
  double logDensity(double[] z, double[] grad);
}
