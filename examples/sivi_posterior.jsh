// The trained SIVI example against the exact posterior of each test example, and its bound L_K for
// several K with the trained parameters. After ./vaec run examples/sivi_negative_binomial.vae, from
// the repository root:
//   jshell --class-path "cli/target/classes:$(cat cli/target/classpath.txt)" examples/sivi_posterior.jsh
// For each of the 20 test rows (the last 20 of examples/data/nb_counts.csv): 1,000 draws of the
// guide (E[r], E[p], the correlation of log r and logit p) against the exact posterior on an
// 800 x 800 grid (vaec.stdlib.sivi.NegativeBinomialModel); then the test set's mean L_K for
// K = 1, 5, 20, 100 from the same draws per row, with its standard error.
import java.nio.file.*;
import java.util.*;
import org.nd4j.linalg.api.buffer.DataType;
import vaec.compiler.*;
import vaec.runtime.checkpoint.*;
import vaec.runtime.exec.*;
import vaec.runtime.graph.*;
import vaec.runtime.rng.NoiseSource;
import vaec.stdlib.sivi.NegativeBinomialModel;

String text = Files.readString(Path.of("examples/sivi_negative_binomial.vae"));
Checkpoint ck = CheckpointIO.read(Path.of("runs/sivi_negative_binomial/checkpoint.vaeckpt"));
List<String> lines = Files.readAllLines(Path.of("examples/data/nb_counts.csv")).subList(181, 201);
int N = 1000;

Node drawOf(Graph g, String site) {
  return g.nodes().stream().filter(n -> n.op() instanceof vaec.runtime.ops.ImplicitGammaRsample
      && n.inputs().stream().anyMatch(i -> ("u_" + site).equals(i.name()))).findFirst().orElseThrow();
}

double[] stats(double[] v) {
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= v.length;
  for (double x : v) s += (x - m) * (x - m);
  return new double[] {m, Math.sqrt(s / (v.length - 1) / v.length)};
}

ParameterStore store = new ParameterStore(ck.layout(), DataType.DOUBLE);
store.load(ck.params());
int[] ks = {1, 5, 20, 100};
double[] meanL = new double[ks.length], varL = new double[ks.length];
double exactSum = 0, er = 0, ep = 0, ec = 0, qr = 0, qp = 0, qc = 0;
for (int ki = 0; ki < ks.length; ki++) {
  var m = vaec.compiler.Compiler.compile(new SourceFile("examples/sivi_negative_binomial.vae", text.replace("K = 20", "K = " + ks[ki]))).compiled();
  vaec.runtime.exec.Executor ev = new vaec.runtime.exec.Executor(m.evaluate(), N, store);
  for (int row = 0; row < lines.size(); row++) {
    String[] f = lines.get(row).split(",");
    int[] x = new int[10];
    for (int j = 0; j < 10; j++) x[j] = Integer.parseInt(f[j]);
    for (int b = 0; b < N; b++) for (int j = 0; j < 10; j++) ev.input("x").putScalar(b, j, x[j]);
    ev.drawNoise(new NoiseSource(1000 + row), ki);
    ev.forward();
    double[] l = ev.value("loss").toDoubleVector();
    for (int b = 0; b < N; b++) l[b] = -l[b];
    double[] st = stats(l);
    meanL[ki] += st[0] / lines.size();
    varL[ki] += st[1] * st[1] / (lines.size() * lines.size());
    if (ks[ki] != 20) continue;
    double[] r = ev.value(drawOf(m.evaluate(), "r")).toDoubleVector(), p = ev.value(drawOf(m.evaluate(), "p")).toDoubleVector();
    double[] u = new double[N], w = new double[N];
    for (int b = 0; b < N; b++) { u[b] = Math.log(r[b]); w[b] = Math.log(p[b] / (1 - p[b])); }
    double mu = stats(u)[0], mw = stats(w)[0], cuw = 0, cuu = 0, cww = 0;
    for (int b = 0; b < N; b++) { cuw += (u[b] - mu) * (w[b] - mw); cuu += (u[b] - mu) * (u[b] - mu); cww += (w[b] - mw) * (w[b] - mw); }
    var exact = new NegativeBinomialModel(x, 2, 0.5, 2, 2).exactPosterior(800, -8, 8, -15, 15);
    double corr = cuw / Math.sqrt(cuu * cww);
    System.out.printf("row %d: exact log p(x) %.3f, L_20 %.3f; E[r] %.3f (exact %.3f), E[p] %.3f (exact %.3f), corr %.2f (exact %.2f)%n",
        180 + row, exact.logEvidence(), st[0], stats(r)[0], exact.meanR(), stats(p)[0], exact.meanP(), corr, exact.correlationUV());
    exactSum += exact.logEvidence() / lines.size();
    er += exact.meanR() / lines.size(); ep += exact.meanP() / lines.size(); ec += exact.correlationUV() / lines.size();
    qr += stats(r)[0] / lines.size(); qp += stats(p)[0] / lines.size(); qc += corr / lines.size();
  }
  ev.close();
}
System.out.printf("test set: exact log p(x) %.3f per example%n", exactSum);
for (int ki = 0; ki < ks.length; ki++) System.out.printf("  L_%d %.3f +- %.3f%n", ks[ki], meanL[ki], Math.sqrt(varL[ki]));
System.out.printf("means over the test rows: E[r] %.3f (exact %.3f), E[p] %.3f (exact %.3f), corr(log r, logit p) %.2f (exact %.2f)%n",
    qr, er, qp, ep, qc, ec);
/exit
