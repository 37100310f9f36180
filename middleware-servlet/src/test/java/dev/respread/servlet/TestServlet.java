package dev.respread.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The application every container test serves. Each response body is {@code <remote port>
 * <detail>}, so clients can count the connections they really used.
 * <ul>
 *   <li>{@code GET /hello}: answers at once.
 *   <li>{@code GET /slow?ms=N}: answers after N ms.
 *   <li>{@code GET /stream?chunks=N&ms=M}: N chunks, M ms apart, flushed one by one.
 *   <li>{@code GET /big?kb=N}: N KiB, written as fast as the client takes them.
 *   <li>{@code POST /upload}: reads the whole body; the detail is its length.
 * </ul>
 */
final class TestServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Requests that reached the application and were answered (counted just before writing). */
  final java.util.concurrent.atomic.AtomicInteger served =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String detail;
    switch (req.getRequestURI()) {
      case "/slow":
        sleep(Long.parseLong(req.getParameter("ms")));
        detail = "slow";
        break;
      case "/stream":
        stream(req, resp);
        return;
      case "/big":
        big(req, resp);
        return;
      case "/upload":
        detail = Long.toString(drain(req.getInputStream()));
        break;
      default:
        detail = "hello";
    }
    byte[] body = (req.getRemotePort() + " " + detail).getBytes(StandardCharsets.US_ASCII);
    resp.setContentType("text/plain");
    resp.setContentLength(body.length);
    // Counted before the write: a client may read the response before a later increment.
    served.incrementAndGet();
    resp.getOutputStream().write(body);
  }

  private static void stream(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    int chunks = Integer.parseInt(req.getParameter("chunks"));
    long ms = Long.parseLong(req.getParameter("ms"));
    resp.setContentType("text/plain");
    OutputStream out = resp.getOutputStream();
    out.write((req.getRemotePort() + " ").getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < chunks; i++) {
      out.write('x');
      out.flush();
      sleep(ms);
    }
  }

  private void big(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    int kb = Integer.parseInt(req.getParameter("kb"));
    byte[] prefix = (req.getRemotePort() + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    resp.setContentType("text/plain");
    resp.setContentLengthLong(prefix.length + (long) kb * chunk.length);
    served.incrementAndGet();
    OutputStream out = resp.getOutputStream();
    out.write(prefix);
    for (int i = 0; i < kb; i++) {
      out.write(chunk);
    }
  }

  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      total += n;
    }
    return total;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
