package dev.respread.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import dev.respread.grpc.internal.ConnectionIndex.Registration;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How transports find their connection: by the read they become ready in, else by address. */
class ConnectionIndexTest {
  private static final SocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 8080);
  private static final SocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);
  private static final SocketAddress OTHER_REMOTE = new InetSocketAddress("127.0.0.1", 40001);

  private final ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
          .maxConnectionAge(Duration.ofHours(1)).build())
      .meterRegistry(new SimpleMeterRegistry()).build();
  private final ConnectionIndex index = new ConnectionIndex(recycler);

  @AfterEach
  void closeRecycler() {
    recycler.close();
  }

  @Test
  void readyTransportCarriesItsConnectionAndTellsItReady() {
    Connection connection = new Connection();
    TrackedConnection tracked = index.accepted(LOCAL, REMOTE, connection).tracked();
    index.accepted(LOCAL, OTHER_REMOTE, new Connection());

    Attributes ready = index.transportFilter().transportReady(transport(REMOTE));

    assertThat(ready.get(ConnectionIndex.TRACKED)).isSameAs(tracked);
    assertThat(connection.ready).isTrue();
    assertThat(index.awaitingTransport()).isEqualTo(1);
  }

  @Test
  void transportReadyWhileItsConnectionIsReadLinksThatConnectionWhateverTheAddresses() {
    Connection connection = new Connection();
    Registration registration = index.accepted(LOCAL, REMOTE, connection);
    index.accepted(LOCAL, OTHER_REMOTE, new Connection());
    // As if a transport filter added before respread's had rewritten the remote address.
    Attributes[] ready = new Attributes[1];

    registration.reading(
        () -> ready[0] = index.transportFilter().transportReady(transport(OTHER_REMOTE)));

    assertThat(ready[0].get(ConnectionIndex.TRACKED)).isSameAs(registration.tracked());
    assertThat(connection.ready).isTrue();
    assertThat(index.awaitingTransport()).isEqualTo(1);
  }

  @Test
  void connectionsSharingTheirAddressesAreToldApartByTheEventLoopTheTransportIsReadyOn() {
    Connection elsewhere = new Connection(new Thread(() -> {}));
    Connection here = new Connection(Thread.currentThread());
    Registration elsewhereRegistration = index.accepted(LOCAL, REMOTE, elsewhere);
    TrackedConnection hereTracked = index.accepted(LOCAL, REMOTE, here).tracked();

    Attributes ready = index.transportFilter().transportReady(transport(REMOTE));

    assertThat(ready.get(ConnectionIndex.TRACKED)).isSameAs(hereTracked);
    assertThat(here.ready).isTrue();
    assertThat(elsewhere.ready).isFalse();
    elsewhereRegistration.closed();
    assertThat(index.awaitingTransport()).isZero();
  }

  @Test
  void connectionsSharingTheirAddressesAndEventLoopAreToldReadyButNotLinked() {
    Connection first = new Connection(Thread.currentThread());
    Connection second = new Connection(Thread.currentThread());
    index.accepted(LOCAL, REMOTE, first);
    index.accepted(LOCAL, REMOTE, second);

    Attributes ready = index.transportFilter().transportReady(transport(REMOTE));

    assertThat(ready.get(ConnectionIndex.TRACKED)).isNull();
    assertThat(first.ready).isTrue();
    assertThat(second.ready).isTrue();
    assertThat(index.awaitingTransport()).isZero();
  }

  @Test
  void addressesOnceAmbiguousAreLinkedAgainForTheNextConnection() {
    index.accepted(LOCAL, REMOTE, new Connection(Thread.currentThread()));
    index.accepted(LOCAL, REMOTE, new Connection(Thread.currentThread()));
    index.transportFilter().transportReady(transport(REMOTE));

    TrackedConnection next =
        index.accepted(LOCAL, REMOTE, new Connection(Thread.currentThread())).tracked();

    assertThat(index.transportFilter().transportReady(transport(REMOTE))
        .get(ConnectionIndex.TRACKED)).isSameAs(next);
  }

  @Test
  void addressesReusedBeforeThePreviousCloseIsReportedLinkTheNewConnectionOnceItIsReported() {
    Connection closing = new Connection(Thread.currentThread());
    Registration closingRegistration = index.accepted(LOCAL, REMOTE, closing);
    TrackedConnection reused =
        index.accepted(LOCAL, REMOTE, new Connection(Thread.currentThread())).tracked();

    closingRegistration.closed();

    assertThat(index.transportFilter().transportReady(transport(REMOTE))
        .get(ConnectionIndex.TRACKED)).isSameAs(reused);
    assertThat(closing.ready).isFalse();
    assertThat(index.awaitingTransport()).isZero();
  }

  @Test
  void connectionClosedBeforeItsTransportIsReadyIsForgotten() {
    index.accepted(LOCAL, REMOTE, new Connection()).closed();

    assertThat(index.awaitingTransport()).isZero();
    assertThat(recycler.openConnections()).isZero();
    assertThat(index.transportFilter().transportReady(transport(REMOTE))
        .get(ConnectionIndex.TRACKED)).isNull();
  }

  private static Attributes transport(SocketAddress remote) {
    return Attributes.newBuilder()
        .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, LOCAL)
        .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, remote)
        .build();
  }

  /** Records what the index tells it; these tests never drain. */
  private static final class Connection implements GrpcConnection {
    /** Stands for the connection's event loop. */
    private final Thread eventLoop;
    volatile boolean ready;

    Connection() {
      this(Thread.currentThread());
    }

    Connection(Thread eventLoop) {
      this.eventLoop = eventLoop;
    }

    @Override
    public boolean inEventLoop() {
      return Thread.currentThread() == eventLoop;
    }

    @Override
    public void transportReady() {
      ready = true;
    }

    @Override
    public void drain(RecycleReason reason, Duration grace) {}

    @Override
    public void forceClose() {}
  }
}
