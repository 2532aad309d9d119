package vaec.cli;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;

/** JLine's parser that asks for more lines while a { or ( block is open, so a block is entered as one entry. */
final class ReplParser extends DefaultParser {
  ReplParser() {
    setEscapeChars(new char[0]);
    setQuoteChars(new char[] {'"'});
  }

  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    if (context == ParseContext.ACCEPT_LINE && ReplInput.open(line)) {
      throw new EOFError(-1, cursor, "block not closed", "}");
    }
    return super.parse(line, cursor, context);
  }
}
