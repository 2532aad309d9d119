package vaec.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import vaec.runtime.model.ReportedTerm;
import vaec.runtime.train.TrainingListener;

/**
 * The per-epoch progress display: a bar with the running means of the objective's reported
 * terms (for the ELBO: the negative ELBO, its reconstruction and KL terms), examples per second and time left (the progressbar library draws it on stderr), then
 * one summary line per epoch on stdout that stays in logs. The bar is drawn only in an interactive
 * session: with the output redirected to a file or a pipe (no console), only the epoch lines are
 * written, so logs do not fill with redrawn bars.
 */
final class ProgressDisplay implements TrainingListener {
  private final PrintStream out;
  private ProgressBar bar;
  private long lastUpdate;
  private int batchSize;

  private final List<ReportedTerm> terms;

  private final boolean drawBar;

  ProgressDisplay(PrintStream out, List<ReportedTerm> terms) {
    this(out, terms, System.console() != null);
  }

  ProgressDisplay(PrintStream out, List<ReportedTerm> terms, boolean drawBar) {
    this.out = out;
    this.terms = terms;
    this.drawBar = drawBar;
  }

  /** "-ELBO 112.66 (rec 100.10, KL 12.56)" with the objective's own labels. */
  private String format(double[] v, String number) {
    StringBuilder b = new StringBuilder(terms.get(0).label()).append(' ').append(String.format(Locale.ROOT, number, v[0]));
    for (int i = 1; i < v.length; i++) {
      b.append(i == 1 ? " (" : ", ").append(terms.get(i).label()).append(' ').append(String.format(Locale.ROOT, number, v[i]));
    }
    return b.append(v.length > 1 ? ")" : "").toString();
  }

  @Override
  public void epochStarted(long epoch, long epochs, long batches, long done, int batchSize) {
    this.batchSize = batchSize;
    if (!drawBar) return;
    bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
        .setInitialMax(batches * batchSize).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setUnit(" ex", 1).showSpeed().setMaxRenderedLength(120).continuousUpdate().build();
    bar.stepTo(done * batchSize);
  }

  @Override
  public void batchDone(long batchInEpoch, double[] running) {
    if (bar == null) return;
    long now = System.nanoTime();
    bar.stepTo(batchInEpoch * batchSize);
    if (now - lastUpdate > 200_000_000L) {
      bar.setExtraMessage(format(running, "%.2f"));
      lastUpdate = now;
    }
  }

  @Override
  public void epochDone(EpochReport r) {
    if (bar != null) bar.close();
    bar = null;
    out.printf(Locale.ROOT, "epoch %3d/%d  train %s  test %s %8.3f  %7.0f ex/s  %6.2f s%n",
        r.epoch(), r.epochs(), format(r.train(), "%8.3f"), terms.get(0).label(), r.testLoss(), r.examplesPerSecond(), r.seconds());
    out.flush();
  }

  void close() {
    if (bar != null) bar.close();
  }
}
