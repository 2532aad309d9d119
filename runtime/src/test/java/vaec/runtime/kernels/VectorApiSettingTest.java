package vaec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vaec.runtime.UserError;

/** VAEC_VECTOR: unset, 0 or 1; any other value is refused with the value named, not taken as on. */
class VectorApiSettingTest {
  @Test
  void theAcceptedSettings() {
    for (String ok : new String[] {null, "", " ", "0", "1", " 1 "}) assertDoesNotThrow(() -> VectorApi.checkSetting(ok), "'" + ok + "'");
  }

  @Test
  void anyOtherValueIsAUserErrorNamingIt() {
    UserError e = assertThrows(UserError.class, () -> VectorApi.checkSetting("off"));
    assertTrue(e.getMessage().contains("VAEC_VECTOR is 'off'"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0"), e.getMessage());
    // Padded, 0 would be taken as on by the launcher and the loader alike: refused rather than ignored.
    assertThrows(UserError.class, () -> VectorApi.checkSetting(" 0 "));
  }
}
