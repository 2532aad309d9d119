package vaec.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.compiler.ir.IrExpr;
import vaec.compiler.ir.ProbModel;
import vaec.compiler.ir.Site;
import vaec.runtime.train.ModelState;
import vaec.stdlib.distributions.Energy;
import vaec.stdlib.distributions.Normal;
import vaec.stdlib.flows.FlowDensity;
import vaec.stdlib.flows.FlowFamily;

/**
 * The report of a model without data whose prior is an energy (U1 to U4): log Z of exp(-U) on the
 * square [-4, 4]^2 by the midpoint rule, the KL estimate -ELBO + log Z, and a picture of the true
 * density beside the fitted one (density.png), where the guide's density is exact on the grid
 * ({@link FlowDensity}).
 */
final class EnergyFit {
  /** Half the side of the square the picture shows and log Z is taken on. */
  static final double BOX = 4;
  /** Grid cells per side of the picture. */
  static final int PICTURE_CELLS = 200;
  /** Grid cells per side for log Z. */
  static final int Z_CELLS = 1600;

  private EnergyFit() {}

  /** The energy prior of the model's (only) latent, or null when the model has none. */
  static Site energyPrior(ProbModel model) {
    for (Site p : model.prior()) if (p.family() instanceof Energy) return p;
    return null;
  }

  /** log of the integral of exp(-U) over [-BOX, BOX]^2. */
  static double logZ(Energy u, int cells) {
    double h = 2 * BOX / cells;
    double[] e = new double[cells * cells];
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < cells; i++) {
      for (int j = 0; j < cells; j++) {
        double v = u.energy(-BOX + (i + 0.5) * h, -BOX + (j + 0.5) * h);
        e[i * cells + j] = v;
        min = Math.min(min, v);
      }
    }
    double s = 0;
    for (double v : e) s += Math.exp(min - v);
    return -min + Math.log(s * h * h);
  }

  /**
   * Prints the fit's numbers, writes {@code dir/density.png}, and returns the numbers for
   * metrics.json; {@code negElbo} is the test -ELBO, E_q[log q(z) + U(z)].
   */
  static Map<String, Object> report(Path dir, ProbModel model, ModelState state, double negElbo, java.util.List<Path> pictures) {
    Map<String, Object> out = new LinkedHashMap<>();
    Site prior = energyPrior(model);
    if (prior == null) return out;
    Energy u = (Energy) prior.family();
    double logZ = logZ(u, Z_CELLS);
    out.put("log_z_box", logZ);
    out.put("kl_estimate", negElbo + logZ);
    System.out.printf(Locale.ROOT, "log Z of exp(-%s) on [-%.0f, %.0f]^2 = %.4f (midpoint rule, %d x %d cells)%n", u.name(), BOX, BOX, logZ,
        Z_CELLS, Z_CELLS);
    System.out.printf(Locale.ROOT, "KL(q || p) ~ -ELBO + log Z = %.4f nats%s%n", negElbo + logZ,
        u.which() == 1 ? "" : " (" + u.name() + " has infinite mass on the plane; this is against its restriction to the square)");
    Site guide = model.guide().stream().filter(q -> q.variable().equals(prior.variable())).findFirst().orElseThrow();
    FlowDensity q = density(guide, state);
    if (q == null) {
      System.out.println("no density picture: the guide of '" + guide.variable()
          + "' is not a flow with global parameters on a Normal base with numbers for its arguments");
      return out;
    }
    int n = PICTURE_CELLS;
    double h = 2 * BOX / n;
    double[][] logP = new double[n][n];
    double[][] logQ = new double[n][n];
    double inBox = 0;
    int failed = 0;
    for (int r = 0; r < n; r++) {
      double z2 = BOX - (r + 0.5) * h;   // row 0 at the top
      for (int c = 0; c < n; c++) {
        double z1 = -BOX + (c + 0.5) * h;
        logP[r][c] = -u.energy(z1, z2);
        double lq = q.logDensity(new double[] {z1, z2});
        logQ[r][c] = lq;
        if (Double.isNaN(lq)) failed++;
        else inBox += Math.exp(lq) * h * h;
      }
    }
    out.put("q_mass_in_box", inBox);
    System.out.printf(Locale.ROOT, "the guide's mass in the square: %.4f (exact density on a %d x %d grid%s)%n", inBox, n, n,
        failed == 0 ? "" : "; " + failed + " points not inverted, drawn grey");
    Path png = dir.resolve("density.png");
    FlowFamily f = (FlowFamily) guide.family();
    vaec.cli.pictures.DensityPair.write(png, "exp(-" + u.name() + "(z)) on [-4, 4]^2",
        logP, String.format(Locale.ROOT, "%s, length %d: KL ~ %.3f", f.name(), f.length(), negElbo + logZ), logQ);
    pictures.add(png);
    return out;
  }

  /** The guide's exact density when it is a global flow on a Normal base with numbers for loc and scale, else null. */
  static FlowDensity density(Site guide, ModelState state) {
    if (!(guide.family() instanceof FlowFamily f) || f.amortized() || f.contextWidth() > 0 || !(f.base() instanceof Normal)) return null;
    IrExpr loc = guide.args().get("loc");
    IrExpr scale = guide.args().get("scale");
    if (!(loc instanceof IrExpr.Const l) || !(scale instanceof IrExpr.Const s)) return null;
    double[] locs = new double[guide.width()];
    double[] scales = new double[guide.width()];
    java.util.Arrays.fill(locs, l.value());
    java.util.Arrays.fill(scales, s.value());
    return new FlowDensity(f, guide.variable(), locs, scales, name -> state.params().value(name).castTo(DataType.DOUBLE).toDoubleVector());
  }
}
