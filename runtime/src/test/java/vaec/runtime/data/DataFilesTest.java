package vaec.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;

class DataFilesTest {
  @TempDir Path dir;

  private static final byte[] IDX = TestFiles.idx(0x08, new int[] {1, 1, 2}, new byte[] {0, (byte) 255});

  @Test
  void choosesReaderByExtension() {
    assertArrayEquals(new float[] {1, 2}, DataFiles.read(TestFiles.write(dir, "a.csv", "1,2\n")).values());
    assertArrayEquals(new float[] {3},
        DataFiles.read(TestFiles.write(dir, "a.npy",
            TestFiles.npy(1, "<f4", false, "(1,)", TestFiles.littleEndianFloats(3)))).values());
    assertArrayEquals(new float[] {0, 1}, DataFiles.read(TestFiles.write(dir, "a.idx", IDX)).values());
    assertArrayEquals(new float[] {0, 1},
        DataFiles.read(TestFiles.write(dir, "a-images-idx3-ubyte.gz", TestFiles.gzip(IDX))).values());
  }

  @Test
  void contentWinsOverAMisleadingName() {
    assertArrayEquals(new float[] {0, 1}, DataFiles.read(TestFiles.write(dir, "digits.bin", IDX)).values());
    assertArrayEquals(new float[] {0, 1},
        DataFiles.read(TestFiles.write(dir, "digits.dat", TestFiles.gzip(IDX))).values());
    assertArrayEquals(new float[] {7}, DataFiles.read(TestFiles.write(dir, "really-npy.csv",
        TestFiles.npy(1, "<f4", false, "(1,)", TestFiles.littleEndianFloats(7)))).values());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent.csv");
    UserError e = assertThrows(UserError.class, () -> DataFiles.read(file));
    assertEquals("data file not found: " + file, e.getMessage());
  }

  @Test
  void directoryIsReported() {
    UserError e = assertThrows(UserError.class, () -> DataFiles.read(dir));
    assertTrue(e.getMessage().contains(dir + " is a directory"), e.getMessage());
  }

  @Test
  void unknownFormatIsReported() {
    Path file = TestFiles.write(dir, "notes.txt", "1,2\n");
    UserError e = assertThrows(UserError.class, () -> DataFiles.read(file));
    assertTrue(e.getMessage().startsWith("cannot tell the format of " + file), e.getMessage());
  }

  @Test
  void npyExtensionWithWrongContentReportsTheMagic() {
    Path file = TestFiles.write(dir, "fake.npy", "1,2\n");
    UserError e = assertThrows(UserError.class, () -> DataFiles.read(file));
    assertTrue(e.getMessage().contains(file + " is not a NumPy .npy file"), e.getMessage());
  }
}
