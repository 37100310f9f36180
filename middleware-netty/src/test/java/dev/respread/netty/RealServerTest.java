package dev.respread.netty;

import dev.respread.RecyclingConfig;
import org.junit.jupiter.api.AfterEach;

/** A test against a real server on port 0 with its own recycler, both closed after each test. */
abstract class RealServerTest {
  Recyclers recyclers;
  TestServer server;

  /** Starts {@code shape} with a recycler of {@code config}; TLS shapes get a test certificate. */
  final void start(TestServer.Shape shape, RecyclingConfig config) throws Exception {
    recyclers = new Recyclers(config);
    server = new TestServer(shape, recyclers.recycler,
        shape.tls() ? Tls.serverContext() : null);
  }

  @AfterEach
  final void stopServer() {
    if (server != null) {
      server.close();
    }
    if (recyclers != null) {
      recyclers.close();
    }
  }
}
