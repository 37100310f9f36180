package dev.respread.servlet;

import dev.respread.RecyclingConfig;
import jakarta.servlet.Servlet;

/** One recycler and one container started with it; tests close it in {@code @AfterEach}. */
@SuppressWarnings("try") // close() may throw anything a server's stop() throws
final class Fixture implements AutoCloseable {
  Recycling recycling;
  Container.Running server;

  /** Starts {@code container} serving {@code servlet} with a recycler for {@code config}. */
  Container.Running start(Container container, RecyclingConfig config, Servlet servlet)
      throws Exception {
    recycling = Recycling.start(config);
    server = container.start(recycling.recycler, servlet);
    return server;
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close();
    }
    if (recycling != null) {
      recycling.close();
    }
  }
}
