package vaec.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** The model and data file shared by the Spark tests. */
final class TinyModelFile {
  private TinyModelFile() {}

  /** Writes the tiny VAE the Spark tests train into {@code dir}: 80 rows of 16 values (72 for training), batch 8, Adam 1e-2, dynamic binarization. */
  static Path write(Path dir) throws Exception {
    Random r = new Random(42);
    StringBuilder csv = new StringBuilder();
    for (int n = 0; n < 80; n++) {
      for (int i = 0; i < 16; i++) {
        boolean on = n % 2 == 0 ? i % 4 < 2 : i / 4 < 2;
        double v = Math.max(0, Math.min(1, (on ? 0.85 : 0.15) + (r.nextDouble() - 0.5) * 0.2));
        csv.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v));
      }
      csv.append('\n');
    }
    Path data = Files.writeString(dir.resolve("tiny.csv"), csv);
    String text = """
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
          seed    = 3
          optimizer = Adam(lr = 1e-2)
          binarize = dynamic
        }
        """.replace("DATA", data.toString());
    return Files.writeString(dir.resolve("tiny.vae"), text);
  }
}
