package dev.respread.servlet;

import dev.respread.ConnectionRecycler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An experiment, not a test: Jetty 12 h2c under OkHttp with a drain every ~N requests, with
 * Jetty's own close or with a close that lingers (FIN, read until the client closes, at most
 * 1 s). Prints what the client and the servlet saw; run it in a network namespace of its own and
 * read {@code nstat TcpExtTCPAbortOnClose} (a close with unread data, which sends a RST) around
 * it.
 *
 * <pre>java -cp ... dev.respread.servlet.JettyLingerMeasure plain|linger REQUESTS CAP</pre>
 */
public final class JettyLingerMeasure {
  private static final ScheduledExecutorService LINGER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "linger");
        t.setDaemon(true);
        return t;
      });

  public static void main(String[] args) throws Exception {
    boolean linger = args[0].equals("linger");
    int requests = Integer.parseInt(args[1]);
    int cap = Integer.parseInt(args[2]);
    Recycling recycling = Recycling.start(Recycling.fast().maxRequestsPerConnection(cap)
        .maxConnectionAge(java.time.Duration.ofMinutes(10)).build());
    TestServlet app = new TestServlet();
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    ServerConnector connector = linger
        ? new ServerConnector(server, new HttpConnectionFactory(config),
            new HTTP2CServerConnectionFactory(config)) {
          @Override
          protected SocketChannelEndPoint newEndPoint(SocketChannel channel,
              ManagedSelector selector, SelectionKey key) {
            SocketChannelEndPoint e = new LingeringEndPoint(channel, selector, key,
                getScheduler());
            e.setIdleTimeout(getIdleTimeout());
            return e;
          }
        }
        : new ServerConnector(server, new HttpConnectionFactory(config),
            new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(Integer.getInteger("port", 0));
    server.addConnector(connector);
    server.setHandler(Container.jettyContext("/", Container.initializer(recycling.recycler),
        app));
    server.start();
    try {
      Clients.Result r = Clients.okHttpH2("http://127.0.0.1:" + connector.getLocalPort()
          + "/hello", 8, requests);
      System.out.printf("%s requests=%d ok=%d failed=%d served=%d served_twice=%d "
              + "failed_after_sending=%d unsent=%d connections=%d%n", args[0], requests,
          r.ok.get(), r.failed.get(), app.served.get(), app.served.get() - requests,
          r.failedAfterSending.size(), r.unsent.get(), r.ports.size());
      java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
      for (String f : r.failedAfterSending) {
        kinds.merge(f.replaceAll("[0-9]+", "N"), 1L, Long::sum);
      }
      System.out.println("  failed after sending: " + kinds);
    } finally {
      server.stop();
      recycling.recycler.close();
    }
  }

  /** Closes as respread's Netty adapter does: FIN, then read until the client closes. */
  static final class LingeringEndPoint extends SocketChannelEndPoint {
    LingeringEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key,
        org.eclipse.jetty.util.thread.Scheduler scheduler) {
      super(channel, selector, key, scheduler);
    }

    @Override
    public void doClose() {
      SocketChannel channel = getChannel();
      try {
        channel.shutdownOutput();
      } catch (IOException e) {
        closeQuietly(channel);
        return;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      drain(channel, ByteBuffer.allocate(4096), deadline);
    }

    private static void drain(SocketChannel channel, ByteBuffer scratch, long deadline) {
      try {
        while (true) {
          scratch.clear();
          int n = channel.read(scratch);
          if (n < 0) {
            closeQuietly(channel);
            return;
          }
          if (n == 0) {
            break;
          }
        }
      } catch (IOException e) {
        closeQuietly(channel);
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        closeQuietly(channel);
        return;
      }
      LINGER.schedule(() -> drain(channel, scratch, deadline), 5, TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(SocketChannel channel) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing.
      }
    }
  }
}
