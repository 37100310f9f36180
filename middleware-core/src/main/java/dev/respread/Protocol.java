package dev.respread;

/**
 * The protocol a connection speaks, which decides how it is drained and tags its metrics.
 */
public enum Protocol {
  /**
   * HTTP/1.x. A drain never closes the connection out of band: the engine asks the adapter to put
   * {@code Connection: close} on the next response it writes (RFC 9112 §9.6).
   */
  HTTP_1_1("http/1.1"),
  /** Plain HTTP/2: the adapter sends a two-phase GOAWAY. */
  HTTP_2("h2"),
  /** gRPC over HTTP/2: the adapter runs the gRPC transport's own graceful shutdown. */
  GRPC("grpc");

  private final String tagValue;

  Protocol(String tagValue) {
    this.tagValue = tagValue;
  }

  /** The value of the {@code protocol} tag on respread's meters. */
  public String tagValue() {
    return tagValue;
  }
}
