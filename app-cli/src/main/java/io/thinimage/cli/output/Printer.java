package io.thinimage.cli.output;

import io.thinimage.cli.options.CommonOptions.OutputFormat;
import java.io.PrintWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a command's result to stdout, as text or as one JSON document ({@code --output json}).
 * Nothing else is written to stdout: logs and progress go to stderr.
 */
public final class Printer {
  private final PrintWriter out;
  private final OutputFormat format;

  public Printer(PrintWriter out, OutputFormat format) {
    this.out = out;
    this.format = format;
  }

  public boolean json() {
    return format == OutputFormat.json;
  }

  public PrintWriter out() {
    return out;
  }

  /** Writes {@code value} as indented JSON followed by a newline. */
  public void printJson(Object value) {
    out.println(toJson(value));
    out.flush();
  }

  /** The JSON text of {@code value}: records by component order, times as ISO-8601 strings. */
  public static String toJson(Object value) {
    return Holder.MAPPER.writeValueAsString(value);
  }

  /** Text output. */
  public void println(String line) {
    out.println(line);
  }

  public void flush() {
    out.flush();
  }

  /** Lazily built: the text path never pays for Jackson's start-up. */
  private static final class Holder {
    static final JsonMapper MAPPER =
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  }
}
