package dev.respread.spring;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;

/**
 * Records the recycler's state at the moment a server begins its own shutdown: the web server's
 * graceful shutdown (this probe stops in the phase just before it) or the gRPC server's
 * ({@link GrpcServerShutdownEvent}, published before {@code Server.shutdown()}).
 */
@Configuration(proxyBeanMethods = false)
class ShutdownProbe {
  /** The recycler's state when a server started to shut down. */
  record Seen(boolean drainDone, int openConnections, double shutdownDrains) {}

  /** When the web server's graceful shutdown was about to begin. */
  final AtomicReference<Seen> webServer = new AtomicReference<>();
  /** When the gRPC server was about to shut down. */
  final AtomicReference<Seen> grpcServer = new AtomicReference<>();

  private static void record(AtomicReference<Seen> seen, ConnectionRecycler recycler,
      MeterRegistry registry, Protocol protocol) {
    seen.compareAndSet(null, new Seen(recycler.shutdown().isDone(), recycler.openConnections(),
        Drains.forShutdown(registry, protocol)));
  }

  @Bean
  SmartLifecycle webServerShutdownProbe(ConnectionRecycler recycler, MeterRegistry registry) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        running = true;
      }

      @Override
      public void stop() {
        running = false;
        record(webServer, recycler, registry, Protocol.HTTP_1_1);
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
      }
    };
  }

  @Bean
  ApplicationListener<GrpcServerShutdownEvent> grpcServerShutdownProbe(
      ConnectionRecycler recycler, MeterRegistry registry) {
    return event -> record(grpcServer, recycler, registry, Protocol.GRPC);
  }
}
