package vaec.runtime.data;

/** A training set and a held-out test set with the same width. */
public record DataSplit(Dataset train, Dataset test) {}
