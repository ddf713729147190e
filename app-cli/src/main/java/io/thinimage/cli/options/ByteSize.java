package io.thinimage.cli.options;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses sizes as {@code fallocate} does: {@code 4096}, {@code 512K}, {@code 4M}, {@code 2G},
 * {@code 1T} (binary units).
 */
public final class ByteSize implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /** The number of bytes {@code text} names. */
  public static long parse(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    if (s.endsWith("IB")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
      s = s.substring(0, s.length() - 1);
    }
    int shift = 0;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'K':
          shift = 10;
          break;
        case 'M':
          shift = 20;
          break;
        case 'G':
          shift = 30;
          break;
        case 'T':
          shift = 40;
          break;
        default:
          shift = -1;
      }
      if (shift >= 0) {
        s = s.substring(0, s.length() - 1);
      } else {
        shift = 0;
      }
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
        throw new TypeConversionException("size out of range: " + text);
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a size (examples: 4096, 512K, 4M, 2G)");
    }
  }
}
