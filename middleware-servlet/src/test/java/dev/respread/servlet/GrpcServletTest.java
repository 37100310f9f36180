package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.servlet.jakarta.ServletServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through grpc-servlet-jakarta's {@code GrpcServlet} on Undertow over h2c, with the filter
 * in front, and a grpc-java (Netty) client: unary and server-streaming calls while connections
 * are recycled continuously, and no call fails.
 */
class GrpcServletTest {
  private static final MethodDescriptor.Marshaller<String> UTF8 =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  private static final MethodDescriptor<String, String> ECHO =
      MethodDescriptor.<String, String>newBuilder(UTF8, UTF8)
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("respread.Test/Echo").build();
  private static final MethodDescriptor<String, String> COUNT =
      MethodDescriptor.<String, String>newBuilder(UTF8, UTF8)
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("respread.Test/Count").build();
  private static final Context.Key<SocketAddress> PEER = Context.key("peer");
  private static final int STREAMED = 5;

  private final Fixture fixture = new Fixture();
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    fixture.close();
  }

  private static ServerServiceDefinition service() {
    ServerServiceDefinition definition = ServerServiceDefinition.builder("respread.Test")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext(port() + " " + req);
          out.onCompleted();
        }))
        .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
          for (int i = 0; i < STREAMED; i++) {
            out.onNext(port() + " " + i);
          }
          out.onCompleted();
        }))
        .build();
    return ServerInterceptors.intercept(definition, new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call,
          Metadata headers, ServerCallHandler<Q, A> next) {
        Context ctx = Context.current().withValue(PEER,
            call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        return Contexts.interceptCall(ctx, call, headers, next);
      }
    });
  }

  private static String port() {
    SocketAddress peer = PEER.get();
    return peer instanceof InetSocketAddress
        ? Integer.toString(((InetSocketAddress) peer).getPort()) : "?";
  }

  @Test
  void unaryAndServerStreamingCallsThroughGrpcServletOnUndertowNeverFailWhileRecycled()
      throws Exception {
    Container.Running server = fixture.start(Container.UNDERTOW, Recycling.fast().build(),
        new ServletServerBuilder().addService(service()).buildServlet());
    Recycling recycling = fixture.recycling;
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port).usePlaintext().build();
    Clients.Result r = new Clients.Result();
    int calls = 600;

    Clients.parallel(6, calls, i -> {
      try {
        if (i % 2 == 0) {
          r.success(ClientCalls.blockingUnaryCall(channel, ECHO,
              CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "hi"));
        } else {
          Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, COUNT,
              CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "go");
          int n = 0;
          String last = null;
          while (it.hasNext()) {
            last = it.next();
            n++;
          }
          if (n == STREAMED) {
            r.success(last);
          } else {
            r.failure("streamed " + n + " of " + STREAMED);
          }
        }
      } catch (StatusRuntimeException e) {
        r.failure(e.getStatus().toString());
      }
    });

    r.assertNoFailures(calls);
    recycling.assertRecycled("h2", r.clientConnections());
    assertThat(recycling.forced()).as("connections closed hard").isZero();
  }
}
