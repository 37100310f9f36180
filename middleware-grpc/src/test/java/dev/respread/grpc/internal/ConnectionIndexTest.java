package dev.respread.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How transports find their connection by address. */
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
    TrackedConnection tracked = index.accepted(LOCAL, REMOTE, connection);
    index.accepted(LOCAL, OTHER_REMOTE, new Connection());

    Attributes ready = index.transportFilter().transportReady(transport(REMOTE));

    assertThat(ready.get(ConnectionIndex.TRACKED)).isSameAs(tracked);
    assertThat(connection.ready).isTrue();
    assertThat(index.awaitingTransport()).isEqualTo(1);
  }

  @Test
  void connectionsSharingTheirAddressesAreNeverLinkedButCanStillDrain() {
    Connection first = new Connection();
    Connection second = new Connection();
    index.accepted(LOCAL, REMOTE, first);
    index.accepted(LOCAL, REMOTE, second);

    Attributes ready = index.transportFilter().transportReady(transport(REMOTE));

    assertThat(ready.get(ConnectionIndex.TRACKED)).isNull();
    assertThat(first.ready).isTrue();
    assertThat(second.ready).isTrue();
  }

  @Test
  void connectionClosedBeforeItsTransportIsReadyIsForgotten() {
    TrackedConnection tracked = index.accepted(LOCAL, REMOTE, new Connection());

    index.closed(LOCAL, REMOTE, tracked);

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
    volatile boolean ready;

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
