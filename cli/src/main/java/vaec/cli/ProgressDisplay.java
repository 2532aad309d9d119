package vaec.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import vaec.runtime.train.TrainingListener;

/**
 * The per-epoch progress display: a bar with the running negative ELBO, its reconstruction and
 * KL terms, examples per second and time left (the progressbar library draws it on stderr), then
 * one summary line per epoch on stdout that stays in logs.
 */
final class ProgressDisplay implements TrainingListener {
  private final PrintStream out;
  private ProgressBar bar;
  private long lastUpdate;
  private int batchSize;

  ProgressDisplay(PrintStream out) { this.out = out; }

  @Override
  public void epochStarted(long epoch, long epochs, long batches, long done, int batchSize) {
    this.batchSize = batchSize;
    bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
        .setInitialMax(batches * batchSize).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setUnit(" ex", 1).showSpeed().setMaxRenderedLength(120).continuousUpdate().build();
    bar.stepTo(done * batchSize);
  }

  @Override
  public void batchDone(long batchInEpoch, double loss, double reconstruction, double kl) {
    long now = System.nanoTime();
    bar.stepTo(batchInEpoch * batchSize);
    if (now - lastUpdate > 200_000_000L) {
      bar.setExtraMessage(String.format(Locale.ROOT, "-ELBO %.2f (rec %.2f, KL %.2f)", loss, reconstruction, kl));
      lastUpdate = now;
    }
  }

  @Override
  public void epochDone(EpochReport r) {
    if (bar != null) bar.close();
    out.printf(Locale.ROOT, "epoch %3d/%d  train -ELBO %8.3f (rec %8.3f, KL %7.3f)  test -ELBO %8.3f  %7.0f ex/s  %6.2f s%n",
        r.epoch(), r.epochs(), r.trainLoss(), r.trainReconstruction(), r.trainKl(), r.testLoss(), r.examplesPerSecond(), r.seconds());
    out.flush();
  }

  void close() {
    if (bar != null) bar.close();
  }
}
