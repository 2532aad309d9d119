package vaec.runtime;

/**
 * A mistake of the user's (bad model file, bad data, bad flag, broken checkpoint), as opposed to
 * a bug of ours. The message is complete and printed as is, without a stack trace; it names the
 * file, line and column, or the value at fault. Every module throws this for user mistakes so the
 * command line can tell the two kinds of failure apart.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message, null, false, false);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
