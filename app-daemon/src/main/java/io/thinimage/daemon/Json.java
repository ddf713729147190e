package io.thinimage.daemon;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the daemon and its client: records and java.time need no modules. */
public final class Json {
  private static final JsonMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Json() {}

  /** The shared, thread-safe mapper. */
  public static JsonMapper mapper() {
    return MAPPER;
  }
}
