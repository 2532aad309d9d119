package vaec.runtime.model;

/**
 * A term the model's objective reports: the name of the training and evaluation graphs' output
 * (a per-row value whose mean over rows is the term, nats per example), a short label for the
 * progress display, the key of its test value in metrics.json ("test_" + metric), and what it
 * is. The first reported term is the loss that training minimizes.
 */
public record ReportedTerm(String output, String label, String metric, String meaning) {}
