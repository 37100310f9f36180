package dev.respread.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What kube-proxy does to a Service, in process: each accepted TCP connection goes to a backend
 * picked at random, once, and every byte of it follows. It knows nothing about HTTP/2 or gRPC.
 */
@SuppressWarnings("try")
final class RandomL4Balancer implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Integer> backendPorts;
  private final Random random;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "l4-balancer");
    t.setDaemon(true);
    return t;
  });

  RandomL4Balancer(List<Integer> backendPorts, long seed) throws IOException {
    this.backendPorts = List.copyOf(backendPorts);
    this.random = new Random(seed);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        int backend = backendPorts.get(random.nextInt(backendPorts.size()));
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backend));
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        AtomicInteger ended = new AtomicInteger();
        threads.execute(() -> pipe(client, server, ended));
        threads.execute(() -> pipe(server, client, ended));
      } catch (IOException e) {
        // Closed by close(), or one connection failed: the client sees it and reconnects.
      }
    }
  }

  /**
   * Copies one direction and passes its half-close on; the second direction to end closes both
   * sockets, and an error in either closes both at once.
   */
  private static void pipe(Socket from, Socket to, AtomicInteger ended) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) != -1) {
        out.write(buffer, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
      return;
    }
    if (ended.incrementAndGet() == 2) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    listener.close();
    threads.shutdownNow();
    threads.awaitTermination(10, TimeUnit.SECONDS);
  }
}
