package io.thinimage.daemon;

/**
 * One HTTP answer of the admin API, independent of the server: status, content type, body, and the
 * {@code Allow} header of a 405.
 */
record Answer(int status, String contentType, String body, String allow) {
  static final String JSON = "application/json";

  static Answer json(int status, Object value) {
    return new Answer(status, JSON, Json.mapper().writeValueAsString(value), null);
  }

  static Answer error(ApiError e) {
    return json(e.status(), e.body());
  }

  static Answer notAllowed(String method, String path, String allow) {
    ApiError e = ApiError.methodNotAllowed(method, path);
    return new Answer(e.status(), JSON, Json.mapper().writeValueAsString(e.body()), allow);
  }
}
