package vaec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

/** VAEC_BATCH_HALVES: unset, 0 or 1; any other value is refused with the value named, not ignored. */
class HalvesModeTest {
  @Test
  void theThreeSettings() {
    assertEquals(TrainingStep.HalvesMode.AUTO, TrainingStep.HalvesMode.of(null));
    assertEquals(TrainingStep.HalvesMode.AUTO, TrainingStep.HalvesMode.of(" "));
    assertEquals(TrainingStep.HalvesMode.NEVER, TrainingStep.HalvesMode.of("0"));
    assertEquals(TrainingStep.HalvesMode.ALWAYS, TrainingStep.HalvesMode.of(" 1 "));
  }

  @Test
  void anyOtherValueIsAUserErrorNamingIt() {
    UserError e = assertThrows(UserError.class, () -> TrainingStep.HalvesMode.of("yes"));
    assertTrue(e.getMessage().contains("VAEC_BATCH_HALVES is 'yes'"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0"), e.getMessage());
  }
}
