package dev.respread.servlet;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.servlet.internal.UndertowConnections;
import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Recycles the connections of an Undertow server without servlets.
 *
 * <pre>{@code
 * Undertow.builder()
 *     .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
 *     .setHandler(new RecyclingUndertowHandler(recycler, myHandler))
 *     ...
 * }</pre>
 *
 * <p>Make it the root handler, so that it runs on the I/O thread before any dispatch: that is
 * what lets an HTTP/2 drain count every stream Undertow has read before it sends the final
 * GOAWAY. HTTP/1.1 connections get {@code Connection: close} on the response committed after a
 * drain starts; HTTP/2 connections get GOAWAY(2^31-1), then, once their requests are done,
 * Undertow's GOAWAY(last stream) and a close. AJP passes through untouched.
 *
 * <p>Every handler and {@code RecyclingServletFilter} built on one recycler share one view of the
 * connections, so a connection that reaches several of them is registered and drained once.
 *
 * <p>Recycling is on by default with the recycler's settings; turn it off with
 * {@code RESPREAD_ENABLED=false} (requests are still counted for the metrics).
 */
public final class RecyclingUndertowHandler implements HttpHandler {
  private final UndertowConnections connections;
  private final HttpHandler next;

  /** Recycles the connections whose requests reach {@code next} through this handler. */
  public RecyclingUndertowHandler(ConnectionRecycler recycler, HttpHandler next) {
    this(UndertowConnections.of(recycler), next);
  }

  private RecyclingUndertowHandler(UndertowConnections connections, HttpHandler next) {
    this.connections = connections;
    this.next = requireNonNull(next, "next");
  }

  /**
   * A wrapper for {@code Handlers}-style chains, for example
   * {@code DeploymentInfo.addInitialHandlerChainWrapper}. Every handler it wraps shares one view
   * of the connections.
   */
  public static HandlerWrapper wrapper(ConnectionRecycler recycler) {
    UndertowConnections connections = UndertowConnections.of(recycler);
    return next -> new RecyclingUndertowHandler(connections, next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    connections.onRequest(exchange);
    next.handleRequest(exchange);
  }
}
