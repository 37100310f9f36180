package dev.respread.grpc.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.TrackedConnection;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Links the connections a server accepts to the gRPC transports built on them, without any Netty
 * type, so that both grpc-netty flavours share it.
 *
 * <p>grpc-java gives no public way from a transport or a call to its Netty channel. The flavour's
 * glue sees each accepted channel and registers it here under its (local, remote) address pair;
 * {@link ServerTransportFilter#transportReady} finds the same pair in
 * {@link Grpc#TRANSPORT_ATTR_LOCAL_ADDR} and {@link Grpc#TRANSPORT_ATTR_REMOTE_ADDR} and stores
 * the {@link TrackedConnection} in the transport's attributes, which every call on it then
 * carries in {@code ServerCall.getAttributes()}, and tells the connection that grpc's handler
 * now owns it. For TCP the pair is unique among open connections; a transport whose pair is
 * ambiguous (some Unix-socket setups) is still recycled by age, but its calls are not counted.
 */
public final class ConnectionIndex {
  private static final Logger logger = System.getLogger(ConnectionIndex.class.getName());

  /**
   * The attribute under which a transport, and so each call on it, carries its connection's
   * handle.
   */
  public static final Attributes.Key<TrackedConnection> TRACKED =
      Attributes.Key.create("dev.respread.grpc.trackedConnection");

  /** Stands for an address pair shared by several open connections: none of them is linked. */
  private static final Entry AMBIGUOUS = new Entry(null, null);

  private final ConnectionRecycler recycler;
  /** Connections accepted whose transport is not ready yet. */
  private final ConcurrentMap<Endpoints, Entry> awaitingTransport =
      new ConcurrentHashMap<>();
  private final ServerTransportFilter transportFilter = new LinkingTransportFilter();
  private final ServerInterceptor interceptor = new CallCountingInterceptor(TRACKED);

  public ConnectionIndex(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  /**
   * Registers a newly accepted connection with the recycler.
   *
   * @return the handle to report its close to, through {@link #closed}
   */
  public TrackedConnection accepted(SocketAddress local, SocketAddress remote,
      GrpcConnection connection) {
    TrackedConnection tracked = recycler.register(connection, Protocol.GRPC);
    Endpoints key = new Endpoints(local, remote);
    Entry previous = awaitingTransport.putIfAbsent(key, new Entry(tracked, connection));
    if (previous != null) {
      awaitingTransport.put(key, AMBIGUOUS);
      // Neither will hear of its transport. Their drains come at their age, when grpc's handler
      // has long owned them, so let them drain through it rather than wait for the grace.
      connection.transportReady();
      if (previous.connection != null) {
        previous.connection.transportReady();
      }
      logger.log(Level.DEBUG, "respread: connections share the addresses {0}; their gRPC calls "
          + "are not counted", key);
    }
    return tracked;
  }

  /** Reports that a connection registered by {@link #accepted} has closed. */
  public void closed(SocketAddress local, SocketAddress remote, TrackedConnection tracked) {
    Endpoints key = new Endpoints(local, remote);
    awaitingTransport.computeIfPresent(key, (k, e) -> e.tracked == tracked ? null : e);
    tracked.closed();
  }

  /** The filter that links each ready transport to its connection. */
  public ServerTransportFilter transportFilter() {
    return transportFilter;
  }

  /** The interceptor that counts each call on its connection. */
  public ServerInterceptor interceptor() {
    return interceptor;
  }

  /** Connections accepted and not yet linked to a transport; for tests. */
  int awaitingTransport() {
    return awaitingTransport.size();
  }

  private final class LinkingTransportFilter extends ServerTransportFilter {
    @Override
    public Attributes transportReady(Attributes attributes) {
      Endpoints key = new Endpoints(attributes.get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR),
          attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      Entry entry = awaitingTransport.get(key);
      if (entry == null || entry == AMBIGUOUS || !awaitingTransport.remove(key, entry)) {
        return attributes;
      }
      entry.connection.transportReady();
      return attributes.toBuilder().set(TRACKED, entry.tracked).build();
    }
  }

  private record Endpoints(SocketAddress local, SocketAddress remote) {}

  private record Entry(TrackedConnection tracked, GrpcConnection connection) {}
}
