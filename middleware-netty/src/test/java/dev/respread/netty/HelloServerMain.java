package dev.respread.netty;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/**
 * Runs a hello server for benchmarks and manual checks, until stdin closes.
 *
 * <p>Arguments: {@code <shape> <on|off>}, where shape is one of {@link TestServer.Shape}. With
 * {@code on} the respread handlers are in the pipeline, configured from the environment
 * ({@code RESPREAD_*}, defaults otherwise). Prints {@code PORT <n>} once listening.
 */
public final class HelloServerMain {
  private HelloServerMain() {}

  public static void main(String[] args) throws Exception {
    TestServer.Shape shape = TestServer.Shape.valueOf(args[0]);
    boolean on = args[1].equals("on");
    Map<String, String> env = System.getenv();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConnectionRecycler recycler = on
        ? ConnectionRecycler.builder(RecyclingConfig.fromEnvironment(env)).environment(env)
            .meterRegistry(registry).name("bench").build()
        : null;
    try (TestServer server = new TestServer(shape, recycler)) {
      System.out.println("PORT " + server.port());
      System.out.flush();
      while (System.in.read() != -1) {
        // Runs until stdin closes.
      }
      if (recycler != null) {
        System.out.println("opened=" + recycler.openConnections() + " "
            + registry.getMetersAsString().replace('\n', ' '));
        recycler.close();
      }
    }
  }
}
