package vaec.runtime.train;

import vaec.runtime.UserError;

/**
 * Training stopped because a value or gradient went non-finite. The message names the step and
 * the model statement (file:line) whose value went bad first; the last good checkpoint is kept.
 */
public final class TrainingFault extends UserError {
  public TrainingFault(String message) { super(message); }
}
