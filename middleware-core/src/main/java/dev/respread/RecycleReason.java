package dev.respread;

/**
 * Why the engine drained a connection. When several triggers fire together the connection is
 * drained once, for the first reason that reached it.
 */
public enum RecycleReason {
  /** The connection reached its jittered maximum age. */
  MAX_AGE("max_age"),
  /** The connection served its jittered maximum number of requests. */
  MAX_REQUESTS("max_requests"),
  /** This pod's load is above the Service mean; the connection moves some of the excess away. */
  LOAD("load"),
  /** The Service gained ready members; this pod hands them their share. */
  SCALE_OUT("scale_out"),
  /** The server is shutting down. */
  SHUTDOWN("shutdown");

  private final String tagValue;

  RecycleReason(String tagValue) {
    this.tagValue = tagValue;
  }

  /** The value of the {@code reason} tag on respread's meters, also used in GOAWAY debug data. */
  public String tagValue() {
    return tagValue;
  }
}
