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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Links the connections a server accepts to the gRPC transports built on them, without any Netty
 * type, so that both grpc-netty flavours share it.
 *
 * <p>grpc-java gives no public way from a transport or a call to its Netty channel. The flavour's
 * glue registers each accepted connection here, on its event loop; {@link
 * ServerTransportFilter#transportReady} then finds the transport's connection, stores the {@link
 * TrackedConnection} in the transport's attributes, which every call on it then carries in {@code
 * ServerCall.getAttributes()}, and tells the connection that grpc's handler now owns it.
 *
 * <p>grpc reports a transport ready while it reads the client's first SETTINGS frame, on the
 * connection's event loop, inside the read the glue wraps in {@link Registration#reading}: that
 * read names the connection exactly, whatever the transport's attributes say. A transport that
 * becomes ready outside such a read (TLS whose handshake resumes from a delegated task) is found
 * by its {@link Grpc#TRANSPORT_ATTR_LOCAL_ADDR} and {@link Grpc#TRANSPORT_ATTR_REMOTE_ADDR}
 * instead. Those are unique among open TCP connections, but a pair can come back as soon as its
 * previous connection has closed, possibly before that close is reported here, and on Unix domain
 * sockets every connection may have the same pair; connections waiting under one pair are then
 * told apart by their event loop. Several on one event loop cannot be: they are still recycled,
 * gracefully, but their calls are not counted. A pair is no longer ambiguous once they are gone.
 */
public final class ConnectionIndex {
  private static final Logger logger = System.getLogger(ConnectionIndex.class.getName());

  /**
   * The attribute under which a transport, and so each call on it, carries its connection's
   * handle.
   */
  public static final Attributes.Key<TrackedConnection> TRACKED =
      Attributes.Key.create("dev.respread.grpc.trackedConnection");

  private final ConnectionRecycler recycler;
  /**
   * Connections accepted whose transport is not ready yet, by address pair; almost always one per
   * pair. The lists are immutable and replaced atomically by {@code compute}.
   */
  private final ConcurrentMap<Endpoints, List<Registration>> awaitingTransport =
      new ConcurrentHashMap<>();
  /** The connection whose input this thread is reading, while it waits for its transport. */
  private final ThreadLocal<Registration> reading = new ThreadLocal<>();
  private final ServerTransportFilter transportFilter = new LinkingTransportFilter();
  private final ServerInterceptor interceptor = new CallCountingInterceptor(TRACKED);

  public ConnectionIndex(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  /**
   * Registers a newly accepted connection with the recycler. Call it once the connection is
   * registered with its event loop, and from that loop, so that a connection whose registration
   * fails is never tracked, and {@link Registration#closed()} is certain to follow.
   */
  public Registration accepted(SocketAddress local, SocketAddress remote,
      GrpcConnection connection) {
    TrackedConnection tracked = recycler.register(connection, Protocol.GRPC);
    Registration registration =
        new Registration(new Endpoints(local, remote), tracked, connection);
    awaitingTransport.merge(registration.key, List.of(registration), ConnectionIndex::concat);
    return registration;
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
    return awaitingTransport.values().stream().mapToInt(List::size).sum();
  }

  /**
   * Takes out of the index those waiting under {@code key} that {@code choose} picks, atomically.
   */
  private List<Registration> take(Endpoints key,
      Function<List<Registration>, List<Registration>> choose) {
    List<List<Registration>> taken = new ArrayList<>(1);
    awaitingTransport.computeIfPresent(key, (k, waiting) -> {
      List<Registration> chosen = choose.apply(waiting).stream().filter(waiting::contains).toList();
      taken.add(chosen);
      return without(waiting, chosen::contains);
    });
    return taken.isEmpty() ? List.of() : taken.get(0);
  }

  /** The only one waiting, or else those whose event loop is this thread. */
  private static List<Registration> onThisEventLoop(List<Registration> waiting) {
    return waiting.size() == 1
        ? waiting
        : waiting.stream().filter(r -> r.connection.inEventLoop()).toList();
  }

  private static List<Registration> concat(List<Registration> a, List<Registration> b) {
    List<Registration> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /** {@code all} without those {@code drop} matches, or null (no mapping) when none is left. */
  private static List<Registration> without(List<Registration> all,
      Predicate<Registration> drop) {
    List<Registration> kept = all.stream().filter(drop.negate()).toList();
    return kept.isEmpty() ? null : kept;
  }

  /** One accepted connection, as its glue reports on it. */
  public final class Registration {
    private final Endpoints key;
    private final TrackedConnection tracked;
    private final GrpcConnection connection;

    private Registration(Endpoints key, TrackedConnection tracked, GrpcConnection connection) {
      this.key = key;
      this.tracked = tracked;
      this.connection = connection;
    }

    /** The recycler's handle on the connection. */
    public TrackedConnection tracked() {
      return tracked;
    }

    /**
     * Runs {@code read}, which delivers input of this connection to grpc, so that a transport
     * that becomes ready during it is linked to this connection. Only needed until
     * {@link GrpcConnection#transportReady()}.
     */
    public void reading(Runnable read) {
      Registration outer = reading.get();
      reading.set(this);
      try {
        read.run();
      } finally {
        reading.set(outer);
      }
    }

    /** Reports that the connection has closed. */
    public void closed() {
      awaitingTransport.computeIfPresent(key, (k, waiting) -> without(waiting, r -> r == this));
      tracked.closed();
    }
  }

  private final class LinkingTransportFilter extends ServerTransportFilter {
    @Override
    public Attributes transportReady(Attributes attributes) {
      Registration current = reading.get();
      List<Registration> owners = current != null
          ? take(current.key, waiting -> List.of(current))
          : take(new Endpoints(attributes.get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR),
              attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)), ConnectionIndex::onThisEventLoop);
      // Each is told ready, so that its drain runs grpc's graceful shutdown.
      owners.forEach(r -> r.connection.transportReady());
      if (owners.size() != 1) {
        if (!owners.isEmpty()) {
          logger.log(Level.DEBUG, "respread: {0} connections on one event loop share the "
              + "addresses {1}; their gRPC calls are not counted", owners.size(),
              owners.get(0).key);
        }
        return attributes;
      }
      return attributes.toBuilder().set(TRACKED, owners.get(0).tracked).build();
    }
  }

  private record Endpoints(SocketAddress local, SocketAddress remote) {}
}
