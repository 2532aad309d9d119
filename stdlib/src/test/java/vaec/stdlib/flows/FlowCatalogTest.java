package vaec.stdlib.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vaec.runtime.model.ParamInit;
import vaec.stdlib.Catalog;

/**
 * Every flow in the catalog agrees with its step op: the parameter blocks it declares are the ones
 * the op reads (globally and per example, with and without a context), its global parameters are
 * one tensor per block and step with distinct names, and its width conditions hold.
 */
class FlowCatalogTest {
  static Map<String, Integer> defaults(Flow f, int d, int length) {
    Map<String, Integer> s = new LinkedHashMap<>();
    for (FlowSetting fs : f.settings()) s.put(fs.name(), fs.defaultFor(d));
    s.put("length", length);
    if (s.containsKey("hidden")) s.put("hidden", 7);
    return s;
  }

  @Test
  void everyFlowsBlocksAreWhatItsStepReads() {
    Catalog c = Catalog.standard();
    assertEquals(List.of("Planar", "Radial", "Householder", "Sylvester", "IAF", "RealNVP"), c.flowNames());
    for (String name : c.flowNames()) {
      Flow f = c.flow(name).orElseThrow();
      for (int d : new int[] {2, 5}) {
        for (int context : f.takesContext() ? new int[] {0, 4} : new int[] {0}) {
          Map<String, Integer> s = defaults(f, d, 3);
          int per = f.stepParameters(d, s, context);
          assertEquals(f.blocks(d, s, context).length, f.blockNames(context > 0).size(), name);
          for (int k = 0; k < 3; k++) {
            assertEquals(per, f.step(d, k, s, true, context).parameterCount(), name + " step " + k);
            if (f.amortizable()) assertEquals(per, f.step(d, k, s, false, context).parameterCount(), name);
          }
          List<ParamInit> ps = f.params("z", d, s, context);
          assertEquals(3 * f.blocks(d, s, context).length, ps.size(), name);
          long total = 0;
          Set<String> names = new HashSet<>();
          for (ParamInit p : ps) {
            total += p.shape()[0];
            assertTrue(names.add(p.name()), "duplicate " + p.name());
            assertTrue(p.name().startsWith("z.flow."), p.name());
          }
          assertEquals(3L * per, total, name);
          assertNull(f.whyNot(d, s), name);
        }
      }
    }
    assertNotNull(c.flow("RealNVP").orElseThrow().whyNot(1, defaults(c.flow("RealNVP").orElseThrow(), 1, 1)));
    assertNotNull(c.flow("Householder").orElseThrow().whyNot(1, defaults(c.flow("Householder").orElseThrow(), 1, 1)));
    assertEquals(2 * 20 + 1, c.flow("Planar").orElseThrow().stepParameters(20, defaults(c.flow("Planar").orElseThrow(), 20, 10), 0));
  }
}
