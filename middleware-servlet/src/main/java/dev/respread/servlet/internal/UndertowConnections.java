package dev.respread.servlet.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Undertow's connections as the recycler sees them: the one piece of code behind both
 * {@code RecyclingUndertowHandler} and the servlet filter on Undertow.
 *
 * <p>A connection is keyed by the object that lives as long as the TCP connection: the
 * {@link HttpServerConnection} for HTTP/1.1 and the {@link Http2Channel} for HTTP/2. On HTTP/2
 * Undertow creates an {@link Http2ServerConnection} (and a servlet connection id) per stream, so
 * neither can be the key.
 */
public final class UndertowConnections {
  private static final Logger logger = System.getLogger(UndertowConnections.class.getName());

  /**
   * {@code Http2ServerConnection.channel}: Undertow has no public getter for the HTTP/2 channel of
   * a stream's connection. Read once per request; {@code null} if this Undertow lacks the field,
   * in which case HTTP/2 is not recycled (and that is logged once).
   */
  private static final VarHandle HTTP2_CHANNEL = http2ChannelHandle();

  private static final PerRecycler<UndertowConnections> SHARED =
      new PerRecycler<>(UndertowConnections::new);

  private final ConnectionRecycler recycler;
  private final ConcurrentMap<Object, UndertowConnection> connections = new ConcurrentHashMap<>();
  private final AttachmentKey<UndertowConnection> counted = AttachmentKey.create(
      UndertowConnection.class);

  private UndertowConnections(ConnectionRecycler recycler) {
    this.recycler = recycler;
  }

  /**
   * The connections of {@code recycler}, shared by every handler and filter built on it (see
   * {@link PerRecycler}): two deployments of one server, or a handler in front of a filtered
   * deployment, register a connection once and count each exchange once.
   */
  public static UndertowConnections of(ConnectionRecycler recycler) {
    return SHARED.of(requireNonNull(recycler, "recycler"));
  }

  private static VarHandle http2ChannelHandle() {
    try {
      return MethodHandles.privateLookupIn(Http2ServerConnection.class, MethodHandles.lookup())
          .findVarHandle(Http2ServerConnection.class, "channel", Http2Channel.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      logger.log(Level.WARNING, "respread cannot reach Undertow's HTTP/2 channel; HTTP/2 "
          + "connections will not be recycled on this Undertow version", e);
      return null;
    }
  }

  /**
   * Counts {@code exchange} as a request on its connection, registering the connection on its
   * first request. Idempotent per exchange, so the handler (on the I/O thread) and the filter (on
   * a worker thread) may both call it. Exchanges on connections that respread cannot drain
   * (AJP, or HTTP/2 without the channel) pass through uncounted.
   */
  public void onRequest(HttpServerExchange exchange) {
    if (exchange.getAttachment(counted) != null) {
      return;
    }
    UndertowConnection connection = connectionOf(exchange.getConnection());
    if (connection == null) {
      return;
    }
    exchange.putAttachment(counted, connection);
    connection.requestStarted(exchange);
  }

  private UndertowConnection connectionOf(ServerConnection serverConnection) {
    if (serverConnection instanceof HttpServerConnection) {
      UndertowConnection c = connections.get(serverConnection);
      return c != null ? c : register(serverConnection, null);
    }
    if (serverConnection instanceof Http2ServerConnection && HTTP2_CHANNEL != null) {
      Http2Channel channel = (Http2Channel) HTTP2_CHANNEL.get(serverConnection);
      UndertowConnection c = connections.get(channel);
      return c != null ? c : register(channel, channel);
    }
    return null;
  }

  /** The connection for {@code key}, registered now; {@code null} if it has already closed. */
  private UndertowConnection register(Object key, Http2Channel http2) {
    // The recycler registers the connection inside computeIfAbsent, so that no other thread sees
    // it unattached; register() never blocks (a drain it starts only queues a task on the I/O
    // thread).
    UndertowConnection[] created = new UndertowConnection[1];
    UndertowConnection c = connections.computeIfAbsent(key, k -> {
      UndertowConnection n = http2 != null
          // Undertow does not surface the PING ack, so the drain waits the whole delay.
          ? new UndertowConnection(http2, recycler.config().finalGoAwayDelay())
          : new UndertowConnection((HttpServerConnection) k);
      n.attach(recycler.register(n, http2 != null ? Protocol.HTTP_2 : Protocol.HTTP_1_1),
          () -> connections.remove(k, n));
      return created[0] = n;
    });
    if (created[0] == c && !c.isOpen()) {
      // Closed before its close listener was added (the filter registers on a worker thread,
      // after the client may have gone): that listener will never run.
      c.closed();
      return null;
    }
    return c;
  }

  /** Connections seen and not yet closed. */
  int size() {
    return connections.size();
  }
}
