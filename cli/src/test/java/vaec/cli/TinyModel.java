package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A VAE small enough to train in a second: 16 values in [0, 1] (4 x 4 pictures), a 2-d latent,
 * and 80 rows from two noisy patterns (left half bright, or top half bright), so there is
 * something to learn. Line numbers of the model text are fixed; tests rely on them.
 */
final class TinyModel {
  private TinyModel() {}

  static final int ROWS = 80;
  static final int WIDTH = 16;
  /** The line of the guide's sampling statement in {@link #text}. */
  static final int GUIDE_LINE = 13;

  /** The model, reading its data from {@code csv}. */
  static String text(Path csv) {
    return """
        model tiny

        data   x : real[16] in [0, 1]
        latent z : real[2]

        network encoder = MLP(16 -> 8 -> 4, activation = relu)
        network decoder = MLP(2 -> 8 -> 16, activation = relu)

        prior z ~ Normal(0, 1)

        guide {
          mu, log_var = split(encoder(x))
          z ~ Normal(mu, exp(0.5 * log_var))
        }

        likelihood x ~ Bernoulli(logits = decoder(z))

        train {
          dataset = "DATA"
          batch   = 8
          epochs  = 2
          seed    = 0
        }
        """.replace("DATA", csv.toAbsolutePath().toString());
  }

  /**
   * {@code text} with a one-hot latent c beside the real z: the guide reads c from x, the decoder
   * reads both (a model whose KL has a discrete part and whose z alone is real-valued).
   */
  static String withOneHotLatent(String text) {
    return variant(variant(variant(variant(text,
        "latent z : real[2]\n", "latent c : onehot[2]\nlatent z : real[2]\n"),
        "network decoder = MLP(2 -> 8 -> 16, activation = relu)\n",
        "network decoder = MLP(4 -> 8 -> 16, activation = relu)\nnetwork classifier = Linear(16 -> 2)\n"),
        "prior z ~ Normal(0, 1)\n", "prior {\n  c ~ Categorical(logits = 0)\n  z ~ Normal(0, 1)\n}\n"),
        "  mu, log_var", "  c ~ Categorical(logits = classifier(x))\n  mu, log_var")
        .replace("decoder(z)", "decoder(concat(c, z))");
  }

  /** {@code text} with {@code from} replaced by {@code to}; fails if {@code from} is not there. */
  static String variant(String text, String from, String to) {
    assertTrue(text.contains(from), () -> "the model text lacks \"" + from + "\"");
    return text.replace(from, to);
  }

  /** The rows as numbers, from a fixed seed. */
  static List<float[]> rows() {
    Random r = new Random(42);
    List<float[]> rows = new ArrayList<>();
    for (int n = 0; n < ROWS; n++) {
      float[] row = new float[WIDTH];
      for (int i = 0; i < WIDTH; i++) {
        boolean on = n % 2 == 0 ? i % 4 < 2 : i / 4 < 2;
        double v = (on ? 0.85 : 0.15) + (r.nextDouble() - 0.5) * 0.2;
        row[i] = (float) Math.max(0, Math.min(1, v));
      }
      rows.add(row);
    }
    return rows;
  }

  static List<String> csvLines(List<float[]> rows) {
    List<String> lines = new ArrayList<>();
    for (float[] row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.length; i++) b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", row[i]));
      lines.add(b.toString());
    }
    return lines;
  }

  static Path write(Path file, String text) {
    try {
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writeLines(Path file, List<String> lines) {
    return write(file, String.join("\n", lines) + "\n");
  }
}
