package vaec.runtime.data;

/** One table's training and held-out test rows, with the same width. */
public record TrainTest(Dataset train, Dataset test) {}
