package vaec.stdlib.flows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vaec.runtime.model.ParamInit;
import vaec.runtime.ops.FlowStep;

/**
 * A normalizing-flow family, written in a guide around a base distribution:
 * {@code z ~ Planar(Normal(mu, s), length = 10)}. The draw is z_K = f_K(... f_1(z_0)) with z_0 from
 * the base, and log q(z_K) = log q0(z_0) - sum_k log|det df_k/dz_{k-1}|, computed along the draw.
 *
 * <p>One subclass per family owns everything about it: its settings and their ranges, the size of
 * one step's parameters for a latent of width D, the global parameters and how they start, and the
 * op of one step ({@link FlowStep}, which holds the mathematics and its backward pass). Parameters
 * are global (learned, one set for the model) unless the model hands the flow a value
 * {@code params = h} of width {@code length x} {@link #stepParameters} (amortized, per example), or,
 * for the network-based flows, a {@code context = h} that every step's network reads (Kingma et
 * al. 2016's h from the encoder).
 */
public abstract class Flow {
  /** The name written in a model file. */
  public abstract String name();

  /** Where the family comes from, for the plan and the documentation. */
  public abstract String reference();

  /** The settings after {@code length}, which every flow takes. */
  protected List<FlowSetting> ownSettings() { return List.of(); }

  public final List<FlowSetting> settings() {
    List<FlowSetting> s = new ArrayList<>();
    s.add(new FlowSetting("length", 1, 1, 500, "the number of steps K"));
    s.addAll(ownSettings());
    return s;
  }

  /** Whether {@code params = h} may give the steps' parameters per example. */
  public boolean amortizable() { return true; }

  /** Whether {@code context = h} may feed every step's network. */
  public boolean takesContext() { return false; }

  /** Null when the flow applies to a latent of width d with these settings, else why not. */
  public String whyNot(int d, Map<String, Integer> settings) { return null; }

  /** The sizes of one step's parameter blocks (global: one tensor each; amortized: side by side). */
  public abstract int[] blocks(int d, Map<String, Integer> settings, int context);

  /** The block names, as the parameters are named (LATENT.flow.K.NAME). */
  public abstract List<String> blockNames(boolean context);

  /** How each global block starts, in block order. */
  protected abstract List<Init> inits(int d, Map<String, Integer> settings, int context);

  /** A block's start: uniform on [-bound, bound], or a constant. */
  protected record Init(boolean uniform, double value) {
    static Init uniform(double bound) { return new Init(true, bound); }
    static Init constant(double v) { return new Init(false, v); }
  }

  /** Step k's op (k from 0), with global or per-row parameters and a context of the given width (0: none). */
  public abstract FlowStep step(int d, int k, Map<String, Integer> settings, boolean global, int context);

  /** Parameters of one step. */
  public final int stepParameters(int d, Map<String, Integer> settings, int context) {
    int s = 0;
    for (int b : blocks(d, settings, context)) s += b;
    return s;
  }

  /** The global parameters of every step, named LATENT.flow.K.BLOCK. */
  public final List<ParamInit> params(String latent, int d, Map<String, Integer> settings, int context) {
    List<ParamInit> out = new ArrayList<>();
    int[] b = blocks(d, settings, context);
    List<String> names = blockNames(context > 0);
    List<Init> init = inits(d, settings, context);
    for (int k = 0; k < settings.get("length"); k++) {
      for (int i = 0; i < b.length; i++) {
        String n = paramName(latent, k, names.get(i));
        out.add(init.get(i).uniform() ? ParamInit.uniform(n, init.get(i).value(), b[i]) : ParamInit.constant(n, init.get(i).value(), b[i]));
      }
    }
    return out;
  }

  public static String paramName(String latent, int k, String block) { return latent + ".flow." + k + "." + block; }
}
