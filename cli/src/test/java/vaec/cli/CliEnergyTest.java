package vaec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vaec.cli.CliRunner.number;
import static vaec.cli.CliRunner.ok;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model without data end to end: vaec run trains a planar guide against U1 on noise batches alone
 * and writes the density picture and the KL estimate; the commands that need data refuse it.
 */
class CliEnergyTest {
  @TempDir static Path dir;

  static final String MODEL = """
      model tiny_u1
      latent z : real[2]
      prior z ~ U1()
      guide z ~ Planar(Normal(0, 1), length = 2)
      train { dataset = none; batch = 32; steps = 5; epochs = 2; optimizer = Adam(lr = 1e-2) }
      """;

  @Test
  void runWritesTheDensityPictureAndTheKlEstimate() throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path model = TinyModel.write(dir.resolve("tiny_u1.vae"), MODEL);
    Path out = dir.resolve("out");
    CliRunner.Result r = ok("run", model, "--out", out);
    String s = r.stdout();
    assertTrue(s.contains("without data: 5 steps of 32 draws per epoch, 2 epochs"), r::toString);
    assertTrue(s.contains("log Z of exp(-U1) on [-4, 4]^2 = 1.8775"), r::toString);
    assertTrue(Files.size(out.resolve("density.png")) > 1000, r::toString);
    String json = CliRunner.metricsText(out);
    assertEquals(1.8775, number(json, "log_z_box"), 1e-4, json);
    // KL(q || p) = -ELBO + log Z, estimated on 10,000 draws: positive up to its noise
    assertEquals(number(json, "test_neg_elbo") + number(json, "log_z_box"), number(json, "kl_estimate"), 1e-9, json);
    assertTrue(number(json, "kl_estimate") > -0.05, json);
    // the exact density of the 2-step flow holds all but a sliver of its mass in [-4, 4]^2
    assertEquals(1, number(json, "q_mass_in_box"), 1e-3, json);
    assertEquals(10, number(json, "steps"), 0, json);

    for (String command : new String[] {"sample", "eval", "encode"}) {
      CliRunner.Result refused = CliRunner.run(command, model, "--checkpoint", out.resolve("checkpoint.vaeckpt"));
      assertEquals(1, refused.exit(), refused::toString);
      assertTrue(refused.all().contains("declares no data (dataset = none)"), refused::toString);
    }
  }

  @Test
  void theDatasetFlagCannotGiveDataToAModelWithout() {
    Path model = TinyModel.write(dir.resolve("tiny_u1b.vae"), MODEL);
    CliRunner.Result r = CliRunner.run("run", model, "--dataset", "mnist_digits", "--out", dir.resolve("b"));
    assertEquals(1, r.exit(), r::toString);
    assertTrue(r.all().contains("declares no data, so it trains without a dataset (dataset = none), not on mnist_digits"), r::toString);
  }
}
