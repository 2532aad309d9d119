package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

class KernelPathSettingTest {
  @Test
  void acceptsNeutralAutoAndUnsetAndNamesAnyOtherValue() {
    for (String ok : new String[] {null, "", "neutral", "NEUTRAL", " auto "}) assertDoesNotThrow(() -> KernelPath.checkSetting(ok));
    UserError e = assertThrows(UserError.class, () -> KernelPath.checkSetting("gpu"));
    assertTrue(e.getMessage().contains("'gpu'") && e.getMessage().contains("neutral"), e.getMessage());
  }

  @Test
  void forcingTheNeutralPathsIsSeenByTheKernels() {
    assertTrue(KernelPath.CPU_BACKEND, "the tests run on ND4J's CPU backend");
    KernelPath.forceNeutral(false);   // overrides VAEC_KERNELS=neutral, if the suite runs under it
    assertTrue(KernelPath.direct());
    KernelPath.forceNeutral(true);
    try {
      assertFalse(KernelPath.direct());
      assertFalse(Parallel.enabled(), "no helper thread on the neutral paths");
      assertEquals(vaec.runtime.ops.Conv2d.Kernels.ND4J, vaec.runtime.ops.Conv2d.defaultKernels());
      assertTrue(KernelPath.describe().startsWith("neutral"));
    } finally {
      KernelPath.forceNeutral(false);
    }
    assertTrue(KernelPath.direct());
  }
}
