package dev.respread.spring;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** grpc-java channels, one each, calling {@link TestApp#ECHO}; grpc never retries a call here. */
final class GrpcClients {
  private GrpcClients() {}

  static Traffic echo(int port, int clients, int calls) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .disableRetry().build());
    }
    try {
      return Traffic.run(clients, calls, c -> echo(channels.get(c), "call from " + c));
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  static void echo(ManagedChannel channel, String text) throws IOException {
    byte[] request = text.getBytes(StandardCharsets.UTF_8);
    byte[] response = ClientCalls.blockingUnaryCall(channel, TestApp.ECHO,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    if (!Arrays.equals(request, response)) {
      throw new IOException("unexpected response");
    }
  }
}
