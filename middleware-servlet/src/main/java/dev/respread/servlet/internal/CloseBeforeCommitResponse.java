package dev.respread.servlet.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Adds {@code Connection: close} at the last moment the servlet API allows, when the application
 * starts its response body, so that a drain that began while the request ran (a slow upload, a
 * slow handler) reaches this response rather than the next one. Only HTTP/1.1 responses are
 * wrapped.
 */
final class CloseBeforeCommitResponse extends HttpServletResponseWrapper {
  private final CountedConnection connection;

  CloseBeforeCommitResponse(HttpServletResponse response, CountedConnection connection) {
    super(response);
    this.connection = connection;
  }

  private void beforeBody() {
    if (!isCommitted()) {
      connection.closeIfDraining((HttpServletResponse) getResponse());
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    beforeBody();
    return super.getOutputStream();
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    beforeBody();
    return super.getWriter();
  }

  @Override
  public void flushBuffer() throws IOException {
    beforeBody();
    super.flushBuffer();
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    beforeBody();
    super.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    beforeBody();
    super.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    beforeBody();
    super.sendRedirect(location);
  }
}
