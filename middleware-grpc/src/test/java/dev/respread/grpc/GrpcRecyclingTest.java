package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real grpc-java server recycling continuously under unary, server-streaming and bidi calls
 * from a real grpc-java channel: no call fails, and the connections really are replaced.
 */
class GrpcRecyclingTest {
  private final Resources resources = new Resources();
  private RecyclingServer server;
  private ClientChannels client;

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({
      "GRPC_NETTY, pick_first",
      "GRPC_NETTY, round_robin",
      "GRPC_NETTY_SHADED, pick_first",
      "GRPC_NETTY_SHADED, round_robin",
  })
  void everyCallKindSucceedsWhileConnectionsAreRecycled(ServerFlavour flavour, String policy)
      throws Exception {
    server = resources.add(
        RecyclingServer.start(flavour, "a", RecyclingServer.fastRecycling().build()));
    client = resources.add(new ClientChannels(server.port(), policy));

    Traffic traffic = new Traffic()
        .unary(client.channel, 3, 60, 64)
        .serverStreaming(client.channel, 2, 15, 5, 10)
        .bidi(client.channel, 2, 15, 5)
        .run();

    assertThat(traffic.failures).as("failed calls").isEmpty();
    assertThat(traffic.succeeded).hasValue(3 * 60 + 2 * 15 + 2 * 15);
    // 240 calls with a cap of about 5 calls per connection.
    assertThat(server.drained()).as("connections drained").isGreaterThanOrEqualTo(20);
    assertThat(server.opened()).as("connections accepted").isGreaterThanOrEqualTo(20);
    assertThat(client.connections()).as("client reconnects").isGreaterThanOrEqualTo(20);
    assertThat(server.forced()).as("connections closed hard").isZero();
  }
}
