package io.thinimage.adapters.sqlite;

import java.util.Map;
import java.util.TreeMap;

/**
 * A run's attributes as a JSON object of strings: readable with the sqlite3 shell and its JSON
 * functions, and small enough to write by hand (no JSON library for one flat map).
 */
final class Attributes {
  private Attributes() {}

  static String encode(Map<String, String> attributes) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(attributes).entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(out, e.getKey());
      out.append(':');
      quote(out, e.getValue());
    }
    return out.append('}').toString();
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  static Map<String, String> decode(String json) {
    Parser p = new Parser(json);
    Map<String, String> out = new TreeMap<>();
    p.expect('{');
    if (p.peek() == '}') {
      p.pos++;
    } else {
      while (true) {
        String key = p.string();
        p.expect(':');
        out.put(key, p.string());
        char c = p.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw p.error("expected , or }");
        }
      }
    }
    if (p.pos != json.length()) {
      throw p.error("trailing text");
    }
    return out;
  }

  /** A parser of exactly what {@link #encode} writes (plus any valid JSON string escape). */
  private static final class Parser {
    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    char next() {
      char c = peek();
      pos++;
      return c;
    }

    void expect(char c) {
      if (next() != c) {
        throw error("expected " + c);
      }
    }

    String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (pos + 4 > s.length()) {
              throw error("short \\u escape");
            }
            out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
          }
          default -> throw error("bad escape \\" + e);
        }
      }
    }

    IllegalStateException error(String what) {
      return new IllegalStateException(
          "run attributes are not valid JSON (" + what + " at " + pos + ")");
    }
  }
}
