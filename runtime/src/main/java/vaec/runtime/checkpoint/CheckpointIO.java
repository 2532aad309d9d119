package vaec.runtime.checkpoint;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import vaec.runtime.UserError;
import vaec.runtime.checkpoint.Checkpoint.ParamEntry;

/**
 * Reads and writes {@link Checkpoint}s.
 *
 * <p>Format (big-endian, as DataOutputStream writes): the 7 ASCII bytes {@code VAECKPT}, an int
 * format version, the record's fields in declaration order, then a CRC32C (as an int) of every
 * byte before it. Strings are an int byte count and UTF-8 bytes (DataOutputStream.writeUTF stops
 * at 64 KiB); arrays are an int length and their elements; lists and maps an int count and their
 * entries, maps in iteration order.
 *
 * <p>Writes are atomic: the checkpoint goes to a temporary file in the same directory, is forced
 * to disk, and is renamed over the old one, so a crash or a full disk mid-write leaves the
 * previous checkpoint intact.
 */
public final class CheckpointIO {
  private CheckpointIO() {}

  private static final byte[] MAGIC = "VAECKPT".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 2;

  /** The oldest version read: version 1 lacks the objective. */
  static final int OLDEST_VERSION = 1;
  private static final int CHECKSUM_BYTES = 4;
  /** Floats and doubles are converted through a buffer this size rather than one call each. */
  private static final int CHUNK_BYTES = 1 << 16;

  /** Writes {@code c} to {@code file} atomically; the previous file survives any failure. */
  public static void write(Path file, Checkpoint c) {
    write(file, c, UnaryOperator.identity());
  }

  /**
   * As {@link #write(Path, Checkpoint)}, with the file's output stream passed through
   * {@code wrapStream} first; tests use it to make writing fail part way.
   */
  static void write(Path file, Checkpoint c, UnaryOperator<OutputStream> wrapStream) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (!Files.isDirectory(dir)) {
      throw new UserError("cannot write checkpoint " + file + ": directory " + dir + " does not exist");
    }
    // Hidden, and unique so that two runs writing to one folder cannot collide. Created with the
    // default permissions (unlike Files.createTempFile's owner-only ones) as the final file keeps them.
    Path temp = dir.resolve("." + target.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    boolean created = false;
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        created = true;
        OutputStream sink = wrapStream.apply(Channels.newOutputStream(channel));
        BufferedOutputStream buffered = new BufferedOutputStream(sink, CHUNK_BYTES);
        CRC32C crc = new CRC32C();
        DataOutputStream body = new DataOutputStream(new CheckedOutputStream(buffered, crc));
        writeBody(body, c);
        body.flush();
        new DataOutputStream(buffered).writeInt((int) crc.getValue());
        buffered.flush();
        // Without this the rename could reach the disk before the data, and a crash would leave
        // a complete-looking but empty checkpoint.
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new UserError("cannot write checkpoint " + file + ": " + describe(e), e);
    } finally {
      if (created && !moved) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed and is being reported; a stray temp file is the lesser harm.
        }
      }
    }
  }

  /** Reads the checkpoint at {@code file}, verifying its magic, version and checksum. */
  public static Checkpoint read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UserError("checkpoint not found: " + file);
    } catch (IOException e) {
      throw new UserError("cannot read checkpoint " + file + ": " + describe(e), e);
    }
    if (bytes.length < MAGIC.length || !startsWithMagic(bytes)) {
      throw new UserError(file + " is not a vaec checkpoint (it does not start with \"VAECKPT\")");
    }
    UserError corrupt = new UserError("checkpoint " + file + " is corrupt (checksum mismatch)");
    if (bytes.length < MAGIC.length + 4 + CHECKSUM_BYTES) {
      throw corrupt;
    }
    // The version is checked before the checksum: a newer vaec may checksum differently, and
    // "unknown version" is then the message that helps.
    int version = ByteBuffer.wrap(bytes, MAGIC.length, 4).getInt();
    if (version < OLDEST_VERSION || version > FORMAT_VERSION) {
      throw new UserError("checkpoint " + file + " has format version " + version
          + ", but this vaec reads versions " + OLDEST_VERSION + " to " + FORMAT_VERSION);
    }
    int bodyLength = bytes.length - CHECKSUM_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bodyLength);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bodyLength, CHECKSUM_BYTES).getInt()) {
      throw corrupt;
    }
    DataInputStream in = new DataInputStream(
        new ByteArrayInputStream(bytes, MAGIC.length + 4, bodyLength - MAGIC.length - 4));
    try {
      Checkpoint c = readFields(in, version);
      if (in.available() != 0) {
        throw corrupt;
      }
      return c;
    } catch (EOFException | MalformedCheckpointException e) {
      // The checksum matched, so this is a file written wrongly rather than damaged later.
      throw corrupt;
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  /** The SHA-256 of {@code text}'s UTF-8 bytes as 64 lowercase hex digits. */
  public static String sha256Hex(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }

  // ---- writing ----

  private static void writeBody(DataOutputStream out, Checkpoint c) throws IOException {
    out.write(MAGIC);
    out.writeInt(FORMAT_VERSION);
    writeString(out, c.modelHash());
    writeString(out, c.modelFile());
    writeString(out, c.objective());
    out.writeLong(c.epoch());
    out.writeLong(c.step());
    out.writeLong(c.seed());
    out.writeInt(c.layout().size());
    for (ParamEntry p : c.layout()) {
      writeString(out, p.name());
      out.writeInt(p.shape().length);
      for (long d : p.shape()) {
        out.writeLong(d);
      }
    }
    writeFloats(out, c.params());
    writeString(out, c.optimizer());
    out.writeInt(c.optimizerState().size());
    for (Map.Entry<String, float[]> e : c.optimizerState().entrySet()) {
      writeString(out, e.getKey());
      writeFloats(out, e.getValue());
    }
    out.writeInt(c.curves().size());
    for (Map.Entry<String, double[]> e : c.curves().entrySet()) {
      writeString(out, e.getKey());
      writeDoubles(out, e.getValue());
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    for (int i = 0; i < values.length; ) {
      int n = Math.min(CHUNK_BYTES / Float.BYTES, values.length - i);
      chunk.clear();
      chunk.asFloatBuffer().put(values, i, n);
      out.write(chunk.array(), 0, n * Float.BYTES);
      i += n;
    }
  }

  private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
    for (int i = 0; i < values.length; ) {
      int n = Math.min(CHUNK_BYTES / Double.BYTES, values.length - i);
      chunk.clear();
      chunk.asDoubleBuffer().put(values, i, n);
      out.write(chunk.array(), 0, n * Double.BYTES);
      i += n;
    }
  }

  /** Makes the rename itself durable; not possible on every platform, so failures are ignored. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // The checkpoint is complete; at worst a crash right now keeps the previous one.
    }
  }

  // ---- reading ----

  /** A length or count in a checksum-valid file that cannot be right. */
  private static final class MalformedCheckpointException extends Exception {
    MalformedCheckpointException() {
      super(null, null, false, false);
    }
  }

  private static boolean startsWithMagic(byte[] bytes) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) return false;
    }
    return true;
  }

  private static Checkpoint readFields(DataInputStream in, int version) throws IOException, MalformedCheckpointException {
    String modelHash = readString(in);
    String modelFile = readString(in);
    String objective = version >= 2 ? readString(in) : "";
    long epoch = in.readLong();
    long step = in.readLong();
    long seed = in.readLong();
    int layoutSize = readCount(in, 1);
    List<ParamEntry> layout = new ArrayList<>();
    for (int i = 0; i < layoutSize; i++) {
      String name = readString(in);
      long[] shape = new long[readCount(in, Long.BYTES)];
      for (int k = 0; k < shape.length; k++) {
        shape[k] = in.readLong();
      }
      layout.add(new ParamEntry(name, shape));
    }
    float[] params = readFloats(in);
    String optimizer = readString(in);
    int stateSize = readCount(in, 1);
    Map<String, float[]> optimizerState = new LinkedHashMap<>();
    for (int i = 0; i < stateSize; i++) {
      optimizerState.put(readString(in), readFloats(in));
    }
    int curveCount = readCount(in, 1);
    Map<String, double[]> curves = new LinkedHashMap<>();
    for (int i = 0; i < curveCount; i++) {
      curves.put(readString(in), readDoubles(in));
    }
    return new Checkpoint(modelHash, modelFile, objective, epoch, step, seed, Collections.unmodifiableList(layout),
        params, optimizer, Collections.unmodifiableMap(optimizerState), Collections.unmodifiableMap(curves));
  }

  /**
   * A count of items that take at least {@code bytesEach} bytes each, checked against the bytes
   * left so that a bad count cannot make us allocate a huge array.
   */
  private static int readCount(DataInputStream in, int bytesEach) throws IOException, MalformedCheckpointException {
    int n = in.readInt();
    if (n < 0 || (long) n * bytesEach > in.available()) {
      throw new MalformedCheckpointException();
    }
    return n;
  }

  private static String readString(DataInputStream in) throws IOException, MalformedCheckpointException {
    byte[] utf8 = new byte[readCount(in, 1)];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static float[] readFloats(DataInputStream in) throws IOException, MalformedCheckpointException {
    float[] values = new float[readCount(in, Float.BYTES)];
    byte[] raw = new byte[values.length * Float.BYTES];
    in.readFully(raw);
    ByteBuffer.wrap(raw).asFloatBuffer().get(values);
    return values;
  }

  private static double[] readDoubles(DataInputStream in) throws IOException, MalformedCheckpointException {
    double[] values = new double[readCount(in, Double.BYTES)];
    byte[] raw = new byte[values.length * Double.BYTES];
    in.readFully(raw);
    ByteBuffer.wrap(raw).asDoubleBuffer().get(values);
    return values;
  }

  /** The cause of an I/O failure in words, with the path involved. */
  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory: " + n.getFile();
    }
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
