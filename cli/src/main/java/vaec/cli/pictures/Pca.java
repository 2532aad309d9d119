package vaec.cli.pictures;

/**
 * Principal components of a set of points, in plain Java: the centred points' sample covariance
 * matrix is diagonalised by cyclic Jacobi rotations (each rotation zeroes one off-diagonal pair;
 * sweeps repeat until the off-diagonal part is negligible). That costs O(d^3) per sweep for d
 * dimensions, which is nothing for latent spaces of up to a few hundred dimensions.
 *
 * <p>Components are unit vectors in order of decreasing variance. Each one's sign is fixed so
 * that its largest entry is positive, so that the same points always give the same picture.
 */
final class Pca {
  /** The points' mean, subtracted before projecting. */
  final double[] mean;
  /** The first k principal directions, each of unit length: components[i][j] is entry j of the i-th. */
  final double[][] components;
  /** The sample variance of the points along each component (the covariance's eigenvalues). */
  final double[] variances;
  /** The sum of the variances along all d directions (the covariance's trace). */
  final double totalVariance;

  private Pca(double[] mean, double[][] components, double[] variances, double totalVariance) {
    this.mean = mean;
    this.components = components;
    this.variances = variances;
    this.totalVariance = totalVariance;
  }

  /** The first {@code k} principal components of the rows (each a point of the same dimension). */
  static Pca fit(double[][] rows, int k) {
    if (rows.length == 0) throw new IllegalArgumentException("no points");
    int d = rows[0].length;
    if (k < 1 || k > d) throw new IllegalArgumentException(k + " components of " + d + "-dimensional points");
    double[] mean = new double[d];
    for (double[] r : rows) {
      for (int j = 0; j < d; j++) mean[j] += r[j];
    }
    for (int j = 0; j < d; j++) mean[j] /= rows.length;
    double[][] cov = new double[d][d];
    double[] centred = new double[d];
    for (double[] r : rows) {
      for (int j = 0; j < d; j++) centred[j] = r[j] - mean[j];
      for (int i = 0; i < d; i++) {
        for (int j = i; j < d; j++) cov[i][j] += centred[i] * centred[j];
      }
    }
    double divisor = Math.max(1, rows.length - 1);
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        cov[i][j] /= divisor;
        cov[j][i] = cov[i][j];
      }
      trace += cov[i][i];
    }
    Eigen e = symmetricEigen(cov);
    double[][] components = new double[k][];
    double[] variances = new double[k];
    for (int c = 0; c < k; c++) {
      components[c] = e.vectors[c];
      variances[c] = Math.max(0, e.values[c]);
    }
    return new Pca(mean, components, variances, trace);
  }

  /** The coordinates of {@code point} along the components. */
  double[] project(double[] point) {
    double[] out = new double[components.length];
    for (int c = 0; c < components.length; c++) {
      double s = 0;
      for (int j = 0; j < mean.length; j++) s += (point[j] - mean[j]) * components[c][j];
      out[c] = s;
    }
    return out;
  }

  /** Eigenvalues in decreasing order and their unit eigenvectors: vectors[i] belongs to values[i]. */
  record Eigen(double[] values, double[][] vectors) {}

  /** The eigen-decomposition of a symmetric matrix (which is left unchanged). */
  static Eigen symmetricEigen(double[][] symmetric) {
    int d = symmetric.length;
    double[][] a = new double[d][];
    for (int i = 0; i < d; i++) a[i] = symmetric[i].clone();
    double[][] v = new double[d][d]; // columns are the eigenvectors
    for (int i = 0; i < d; i++) v[i][i] = 1;
    double scale = 0;
    for (double[] row : a) {
      for (double x : row) scale += x * x;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int p = 0; p < d; p++) {
        for (int q = p + 1; q < d; q++) off += a[p][q] * a[p][q];
      }
      if (off <= 1e-26 * scale) break; // off-diagonal norm below 1e-13 of the whole
      for (int p = 0; p < d; p++) {
        for (int q = p + 1; q < d; q++) {
          if (a[p][q] == 0) continue;
          rotate(a, v, p, q);
        }
      }
    }
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) order[i] = i;
    java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
    double[] values = new double[d];
    double[][] vectors = new double[d][d];
    for (int r = 0; r < d; r++) {
      int col = order[r];
      values[r] = a[col][col];
      int largest = 0;
      for (int j = 0; j < d; j++) {
        vectors[r][j] = v[j][col];
        if (Math.abs(v[j][col]) > Math.abs(v[largest][col])) largest = j;
      }
      if (v[largest][col] < 0) {
        for (int j = 0; j < d; j++) vectors[r][j] = -vectors[r][j];
      }
    }
    return new Eigen(values, vectors);
  }

  /**
   * One Jacobi rotation in the (p, q) plane that makes a[p][q] zero: A becomes J^T A J and V
   * becomes V J, with J the identity except J[p][p] = J[q][q] = c, J[p][q] = s, J[q][p] = -s.
   */
  private static void rotate(double[][] a, double[][] v, int p, int q) {
    double apq = a[p][q];
    double theta = (a[q][q] - a[p][p]) / (2 * apq);
    // t = tan(angle), the smaller root of t^2 + 2 t theta - 1 = 0 (an angle of at most 45 degrees).
    double t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    if (Double.isInfinite(theta * theta)) t = 1 / (2 * theta); // theta so large that theta^2 overflows
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    int d = a.length;
    for (int r = 0; r < d; r++) {
      if (r == p || r == q) continue;
      double arp = a[r][p];
      double arq = a[r][q];
      a[r][p] = a[p][r] = c * arp - s * arq;
      a[r][q] = a[q][r] = s * arp + c * arq;
    }
    a[p][p] -= t * apq;
    a[q][q] += t * apq;
    a[p][q] = a[q][p] = 0;
    for (int r = 0; r < d; r++) {
      double vrp = v[r][p];
      double vrq = v[r][q];
      v[r][p] = c * vrp - s * vrq;
      v[r][q] = s * vrp + c * vrq;
    }
  }
}
