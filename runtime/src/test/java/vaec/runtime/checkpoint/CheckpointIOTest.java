package vaec.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;

class CheckpointIOTest {
  @TempDir Path dir;

  /** A checkpoint with every field set, non-ASCII text, and vectors large enough to span chunks. */
  private static Checkpoint sample(long epoch) {
    int n = 40_000;
    float[] params = new float[n];
    float[] m = new float[n];
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) Math.sin(i) * (i % 7);
      m[i] = i * 1e-6f;
      v[i] = -i;
    }
    params[0] = Float.NaN;
    params[1] = Float.NEGATIVE_INFINITY;
    params[2] = -0f;
    Map<String, float[]> state = new LinkedHashMap<>();
    state.put("m", m);
    state.put("v", v);
    Map<String, double[]> curves = new LinkedHashMap<>();
    curves.put("train_loss", new double[] {210.5, 150.25, 120.125});
    curves.put("test_loss", new double[] {Math.PI, Math.E, 1e-300});
    curves.put("empty", new double[0]);
    return new Checkpoint(
        CheckpointIO.sha256Hex("model vae { }"),
        "examples/vae-ü.vae",
        "IWAE-5 (importance-weighted bound)",
        epoch,
        epoch * 469,
        -1234567890123L,
        List.of(new ParamEntry("enc.w", new long[] {784, 50}), new ParamEntry("enc.b", new long[] {50}),
            new ParamEntry("scalar", new long[0]), new ParamEntry("rest", new long[] {n - 784 * 50 - 50 - 1})),
        params,
        "adam",
        state,
        curves);
  }

  /** Record equality compares arrays by identity, so compare every field by content. */
  private static void assertSameCheckpoint(Checkpoint expected, Checkpoint actual) {
    assertEquals(expected.modelHash(), actual.modelHash());
    assertEquals(expected.modelFile(), actual.modelFile());
    assertEquals(expected.objective(), actual.objective());
    assertEquals(expected.epoch(), actual.epoch());
    assertEquals(expected.step(), actual.step());
    assertEquals(expected.seed(), actual.seed());
    assertEquals(expected.layout().size(), actual.layout().size());
    for (int i = 0; i < expected.layout().size(); i++) {
      assertEquals(expected.layout().get(i).name(), actual.layout().get(i).name());
      assertArrayEquals(expected.layout().get(i).shape(), actual.layout().get(i).shape());
    }
    // assertArrayEquals compares floats by Float.floatToIntBits, so NaN and -0 must survive exactly.
    assertArrayEquals(expected.params(), actual.params());
    assertEquals(expected.optimizer(), actual.optimizer());
    assertEquals(List.copyOf(expected.optimizerState().keySet()), List.copyOf(actual.optimizerState().keySet()));
    for (String k : expected.optimizerState().keySet()) {
      assertArrayEquals(expected.optimizerState().get(k), actual.optimizerState().get(k), k);
    }
    assertEquals(List.copyOf(expected.curves().keySet()), List.copyOf(actual.curves().keySet()));
    for (String k : expected.curves().keySet()) {
      assertArrayEquals(expected.curves().get(k), actual.curves().get(k), k);
    }
  }

  @Test
  void roundTripKeepsEveryField() {
    Path file = dir.resolve("run.ckpt");
    Checkpoint c = sample(3);
    CheckpointIO.write(file, c);
    assertSameCheckpoint(c, CheckpointIO.read(file));
    assertEquals(-0f, CheckpointIO.read(file).params()[2]);
    assertTrue(Float.isNaN(CheckpointIO.read(file).params()[0]));
  }

  @Test
  void fileStartsWithMagicAndVersion() throws IOException {
    Path file = dir.resolve("run.ckpt");
    CheckpointIO.write(file, sample(1));
    byte[] bytes = Files.readAllBytes(file);
    assertEquals("VAECKPT", new String(bytes, 0, 7, StandardCharsets.US_ASCII));
    assertEquals(CheckpointIO.FORMAT_VERSION, ByteBuffer.wrap(bytes, 7, 4).getInt());
  }

  @Test
  void overwritesAnExistingCheckpointAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("run.ckpt");
    CheckpointIO.write(file, sample(1));
    CheckpointIO.write(file, sample(2));
    assertEquals(2, CheckpointIO.read(file).epoch());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void everyFlippedByteIsDetected() throws IOException {
    Path file = dir.resolve("run.ckpt");
    CheckpointIO.write(file, sample(1));
    byte[] good = Files.readAllBytes(file);
    // Positions after the magic and version: strings, counts, parameters, curves, the checksum.
    for (int at : new int[] {11, 20, 200, good.length / 2, good.length - 30, good.length - 1}) {
      byte[] bad = good.clone();
      bad[at] ^= 0x10;
      Files.write(file, bad);
      UserError e = assertThrows(UserError.class, () -> CheckpointIO.read(file), "byte " + at);
      assertEquals("checkpoint " + file + " is corrupt (checksum mismatch)", e.getMessage());
    }
  }

  @Test
  void truncationIsDetected() throws IOException {
    Path file = dir.resolve("run.ckpt");
    CheckpointIO.write(file, sample(1));
    byte[] good = Files.readAllBytes(file);
    for (int length : new int[] {12, 100, good.length / 2, good.length - 1}) {
      Files.write(file, Arrays.copyOf(good, length));
      UserError e = assertThrows(UserError.class, () -> CheckpointIO.read(file), "length " + length);
      assertEquals("checkpoint " + file + " is corrupt (checksum mismatch)", e.getMessage());
    }
  }

  @Test
  void wrongMagicIsNotACheckpoint() throws IOException {
    Path file = dir.resolve("model.vae");
    Files.writeString(file, "model vae { }");
    UserError e = assertThrows(UserError.class, () -> CheckpointIO.read(file));
    assertTrue(e.getMessage().contains(file + " is not a vaec checkpoint"), e.getMessage());
    Files.write(file, new byte[0]);
    e = assertThrows(UserError.class, () -> CheckpointIO.read(file));
    assertTrue(e.getMessage().contains("not a vaec checkpoint"), e.getMessage());
  }

  @Test
  void unknownVersionIsReported() throws IOException {
    Path file = dir.resolve("future.ckpt");
    CheckpointIO.write(file, sample(1));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).putInt(7, 99);
    Files.write(file, bytes);
    UserError e = assertThrows(UserError.class, () -> CheckpointIO.read(file));
    assertEquals("checkpoint " + file + " has format version 99, but this vaec reads versions 1 to 2", e.getMessage());
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("absent.ckpt");
    UserError e = assertThrows(UserError.class, () -> CheckpointIO.read(file));
    assertEquals("checkpoint not found: " + file, e.getMessage());
  }

  @Test
  void failedWriteLeavesThePreviousCheckpointIntact() throws IOException {
    Path file = dir.resolve("run.ckpt");
    Checkpoint old = sample(1);
    CheckpointIO.write(file, old);
    byte[] before = Files.readAllBytes(file);

    // The disk "fills up" half way through the new checkpoint.
    UserError e = assertThrows(UserError.class,
        () -> CheckpointIO.write(file, sample(2), out -> new FailingAfter(out, before.length / 2)));
    assertTrue(e.getMessage().startsWith("cannot write checkpoint " + file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());

    assertArrayEquals(before, Files.readAllBytes(file));
    assertSameCheckpoint(old, CheckpointIO.read(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "the temporary file must be removed");
    }
  }

  @Test
  void missingDirectoryIsReported() {
    Path file = dir.resolve("no/such/dir/run.ckpt");
    UserError e = assertThrows(UserError.class, () -> CheckpointIO.write(file, sample(1)));
    assertTrue(e.getMessage().startsWith("cannot write checkpoint " + file), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void sha256HexMatchesKnownVectors() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", CheckpointIO.sha256Hex("abc"));
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", CheckpointIO.sha256Hex(""));
  }

  /** An output stream that throws, like a full disk, once {@code limit} bytes have been written. */
  private static final class FailingAfter extends FilterOutputStream {
    private long remaining;

    FailingAfter(OutputStream out, long limit) {
      super(out);
      this.remaining = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > remaining) {
        out.write(b, off, (int) remaining);
        remaining = 0;
        throw new IOException("No space left on device");
      }
      out.write(b, off, len);
      remaining -= len;
    }
  }
}
