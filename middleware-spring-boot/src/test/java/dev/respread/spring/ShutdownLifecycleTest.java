package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.Protocol;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Closing the context under load: the recycler's shutdown drain has ended every connection
 * before a server begins its own shutdown, and no request fails. The clients stop sending on a
 * connection once it has been drained, as they would once kube-proxy has dropped the pod.
 */
class ShutdownLifecycleTest {
  private static final int CLIENTS = 4;
  private static final String[] SETTINGS = {
      "respread.shutdown-delay=300ms",
      "respread.max-connection-age-grace=5s",
      "spring.grpc.server.port=0",
  };

  @Test
  void closingAnMvcContextDrainsEveryConnectionBeforeTheWebServerShutsDown() throws Exception {
    ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApp.class,
        ShutdownProbe.class).web(WebApplicationType.SERVLET)
        .properties(SETTINGS).properties("server.port=0",
            "spring.autoconfigure.exclude=" + TestApp.JETTY)
        .run();
    ShutdownProbe probe = context.getBean(ShutdownProbe.class);
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    AtomicBoolean closing = new AtomicBoolean();
    AtomicInteger drainedClients = new AtomicInteger();
    List<OkHttpClient> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(Http1Clients.client());
    }

    Traffic t = new Traffic();
    Load load = Load.start(CLIENTS, c -> {
      String connection = Http1Clients.hello(clients.get(c), port);
      // Drained: this client's next connection would go to another pod.
      boolean drained = closing.get() && connection.equalsIgnoreCase("close");
      if (drained) {
        drainedClients.incrementAndGet();
      }
      return !drained;
    }, t);
    load.awaitRequests(CLIENTS * 5);
    closing.set(true);
    context.close();
    load.stop();
    clients.forEach(Http1Clients::close);

    assertThat(t.failures).isEmpty();
    assertThat(drainedClients).hasValue(CLIENTS);
    ShutdownProbe.Seen seen = probe.webServer.get();
    assertThat(seen).isNotNull();
    assertThat(seen.drainDone()).isTrue();
    assertThat(seen.openConnections()).isZero();
    assertThat(seen.shutdownDrains()).isGreaterThanOrEqualTo(CLIENTS);
  }

  @Test
  void closingAGrpcContextDrainsEveryConnectionBeforeTheGrpcServerShutsDown() throws Exception {
    ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApp.class,
        ShutdownProbe.class).web(WebApplicationType.NONE).properties(SETTINGS).run();
    ShutdownProbe probe = context.getBean(ShutdownProbe.class);
    MeterRegistry registry = context.getBean(MeterRegistry.class);
    int port = context.getBean(GrpcServerLifecycle.class).getPort();
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .disableRetry().build());
    }

    Traffic t = new Traffic();
    AtomicBoolean closing = new AtomicBoolean();
    BooleanSupplier allDrained =
        () -> Drains.forShutdown(registry, Protocol.GRPC) >= CLIENTS;
    Load load = Load.start(CLIENTS, c -> {
      GrpcClients.echo(channels.get(c), "call from " + c);
      // Once every connection has been drained, the clients would go to other pods.
      return !(closing.get() && allDrained.getAsBoolean());
    }, t);
    load.awaitRequests(CLIENTS * 5);
    closing.set(true);
    context.close();
    load.stop();
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    assertThat(t.failures).isEmpty();
    ShutdownProbe.Seen seen = probe.grpcServer.get();
    assertThat(seen).isNotNull();
    assertThat(seen.drainDone()).isTrue();
    assertThat(seen.openConnections()).isZero();
    assertThat(seen.shutdownDrains()).isGreaterThanOrEqualTo(CLIENTS);
  }

  /** Clients that send until their call says to stop, or until stopped. */
  static final class Load {
    interface Step {
      /** Sends one request; returns whether to go on. */
      boolean send(int client) throws Exception;
    }

    private final ExecutorService pool;
    private final List<Future<?>> running = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();

    private Load(int clients) {
      pool = Executors.newFixedThreadPool(clients);
    }

    static Load start(int clients, Step step, Traffic traffic) {
      Load load = new Load(clients);
      for (int c = 0; c < clients; c++) {
        int client = c;
        load.running.add(load.pool.submit(() -> {
          AtomicBoolean goOn = new AtomicBoolean(true);
          // Bounded: at most 100000 requests per client.
          for (int i = 0; i < 100_000 && goOn.get() && !load.stopped.get(); i++) {
            traffic.send(client, k -> goOn.set(step.send(k)));
            load.sent.incrementAndGet();
          }
        }));
      }
      return load;
    }

    void awaitRequests(int n) throws InterruptedException {
      for (int i = 0; i < 3000 && sent.get() < n; i++) {
        Thread.sleep(10);
      }
    }

    /** Waits for every client to finish on its own, then stops the rest. */
    void stop() throws Exception {
      try {
        for (Future<?> f : running) {
          f.get(1, TimeUnit.MINUTES);
        }
      } finally {
        stopped.set(true);
        pool.shutdownNow();
      }
    }
  }
}
