package vaec.runtime.graph;

/** The distributions a noise node draws from, fresh every step, from the run's one generator. */
public enum NoiseKind { STANDARD_NORMAL, UNIFORM }
