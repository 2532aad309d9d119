package vaec.stdlib.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.ops.PotentialEnergy;
import vaec.stdlib.Catalog;

/**
 * The four energies are Rezende and Mohamed's Table 1, transcribed here a second time as plainly
 * as the paper writes them (no stable log-sum-exp), and compared at points spread over [-4, 4]^2;
 * the hand-written gradient equals central finite differences of the energy.
 */
class EnergyTest {
  static double w1(double a) { return Math.sin(2 * Math.PI * a / 4); }
  static double w2(double a) { return 3 * Math.exp(-0.5 * Math.pow((a - 1) / 0.6, 2)); }
  static double w3(double a) { return 3 / (1 + Math.exp(-(a - 1) / 0.3)); }

  static double paper(int which, double z1, double z2) {
    return switch (which) {
      case 1 -> 0.5 * Math.pow((Math.sqrt(z1 * z1 + z2 * z2) - 2) / 0.4, 2)
          - Math.log(Math.exp(-0.5 * Math.pow((z1 - 2) / 0.6, 2)) + Math.exp(-0.5 * Math.pow((z1 + 2) / 0.6, 2)));
      case 2 -> 0.5 * Math.pow((z2 - w1(z1)) / 0.4, 2);
      case 3 -> -Math.log(Math.exp(-0.5 * Math.pow((z2 - w1(z1)) / 0.35, 2)) + Math.exp(-0.5 * Math.pow((z2 - w1(z1) + w2(z1)) / 0.35, 2)));
      default -> -Math.log(Math.exp(-0.5 * Math.pow((z2 - w1(z1)) / 0.4, 2)) + Math.exp(-0.5 * Math.pow((z2 - w1(z1) + w3(z1)) / 0.35, 2)));
    };
  }

  static final double[][] POINTS = {{0, 0.5}, {1.3, -0.7}, {-2.1, 1.9}, {2.5, 0.2}, {-0.4, -3.1}, {3.7, 3.2}, {-3.3, -1.1}, {0.9, 1.4}};

  @Test
  void energiesAreThePapersFormulas() {
    for (int u = 1; u <= 4; u++) {
      Energy e = (Energy) Catalog.standard().distribution("U" + u).orElseThrow();
      assertEquals(u, e.which());
      for (double[] p : POINTS) {
        double want = paper(u, p[0], p[1]);
        assertEquals(want, e.energy(p[0], p[1]), 1e-12 * Math.max(1, Math.abs(want)), "U" + u + " at " + p[0] + ", " + p[1]);
      }
    }
    // one value worked by hand: U2(0, 0.4) = ((0.4 - sin 0) / 0.4)^2 / 2 = 0.5
    assertEquals(0.5, PotentialEnergy.energy(2, 0, 0.4, null), 1e-15);
    // U1 on the ring at (0, 2): -log(2 exp(-(2 / 0.6)^2 / 2))
    assertEquals(0.5 * Math.pow(2 / 0.6, 2) - Math.log(2), PotentialEnergy.energy(1, 0, 2, null), 1e-12);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    double h = 1e-6;
    for (int u = 1; u <= 4; u++) {
      for (double[] p : POINTS) {
        double[] g = new double[2];
        PotentialEnergy.energy(u, p[0], p[1], g);
        double d1 = (PotentialEnergy.energy(u, p[0] + h, p[1], null) - PotentialEnergy.energy(u, p[0] - h, p[1], null)) / (2 * h);
        double d2 = (PotentialEnergy.energy(u, p[0], p[1] + h, null) - PotentialEnergy.energy(u, p[0], p[1] - h, null)) / (2 * h);
        assertEquals(d1, g[0], 1e-6 * Math.max(1, Math.abs(d1)), "dU" + u + "/dz1 at " + p[0] + ", " + p[1]);
        assertEquals(d2, g[1], 1e-6 * Math.max(1, Math.abs(d2)), "dU" + u + "/dz2 at " + p[0] + ", " + p[1]);
      }
    }
  }

  @Test
  void onlyFourEnergies() {
    assertThrows(IllegalArgumentException.class, () -> new Energy(5));
    assertEquals(java.util.Optional.empty(), Catalog.standard().distribution("U5"));
  }

  @Test
  void itStandsOnlyAsThePriorOfATwoDimensionalLatentOfAModelWithoutData() {
    Energy u = new Energy(2);
    assertNull(u.misplaced(new DistributionFamily.Placement(DistributionFamily.Section.PRIOR, "z", 2, false)));
    DistributionFamily.Misplaced guide = u.misplaced(new DistributionFamily.Placement(DistributionFamily.Section.GUIDE, "z", 2, false));
    assertTrue(guide.why().contains("can only be a prior, not a guide"), guide.why());
    DistributionFamily.Misplaced wide = u.misplaced(new DistributionFamily.Placement(DistributionFamily.Section.PRIOR, "w", 3, false));
    assertTrue(wide.why().contains("'w' has width 3") && wide.hint().equals("declare it as: latent w : real[2]"), wide.toString());
    DistributionFamily.Misplaced data = u.misplaced(new DistributionFamily.Placement(DistributionFamily.Section.PRIOR, "z", 2, true));
    assertTrue(data.hint().contains("dataset = none"), data.toString());
    // Every other family stands anywhere its domain allows.
    assertNull(new Laplace().misplaced(new DistributionFamily.Placement(DistributionFamily.Section.LIKELIHOOD, "x", 3, true)));
  }
}
