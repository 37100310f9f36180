package dev.respread.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test service described by hand, so that no protoc is needed. Every response names the server
 * that produced it, which is how tests see where a call landed.
 *
 * <ul>
 *   <li>{@code Unary}: the request is a 4-byte size; the response is the server's name, a newline
 *       and {@code size} bytes of {@link #pattern}.
 *   <li>{@code Stream}: the request is a 4-byte count and a 4-byte interval in milliseconds; the
 *       server sends its name {@code count} times, one every interval, then completes.
 *   <li>{@code Bidi}: echoes each message prefixed with the server's name, and completes when the
 *       client does.
 * </ul>
 */
final class EchoService {
  static final String SERVICE = "respread.test.Echo";
  static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> STREAM =
      method("Stream", MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodType.BIDI_STREAMING);
  /** Ends with {@code INVALID_ARGUMENT}. */
  static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodType.UNARY);
  /** Its handler throws, which grpc turns into {@code UNKNOWN}. */
  static final MethodDescriptor<byte[], byte[]> THROW = method("Throw", MethodType.UNARY);

  private EchoService() {}

  private static MethodDescriptor<byte[], byte[]> method(String name, MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(RawBytes.INSTANCE)
        .setResponseMarshaller(RawBytes.INSTANCE)
        .build();
  }

  static ServerServiceDefinition definition(String serverName, ScheduledExecutorService timer) {
    byte[] name = serverName.getBytes(StandardCharsets.UTF_8);
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
          int size = ByteBuffer.wrap(request).getInt();
          response.onNext(named(name, pattern(size)));
          response.onCompleted();
        }))
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
          ByteBuffer b = ByteBuffer.wrap(request);
          int count = b.getInt();
          int intervalMillis = b.getInt();
          sendEvery(timer, response, name, count, intervalMillis);
        }))
        .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(response -> echo(name, response)))
        .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) ->
            response.onError(Status.INVALID_ARGUMENT.withDescription("refused").asException())))
        .addMethod(THROW, ServerCalls.asyncUnaryCall((request, response) -> {
          throw new IllegalStateException("handler failed");
        }))
        .build();
  }

  private static StreamObserver<byte[]> echo(byte[] name, StreamObserver<byte[]> response) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] message) {
        response.onNext(named(name, message));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        response.onCompleted();
      }
    };
  }

  private static void sendEvery(ScheduledExecutorService timer, StreamObserver<byte[]> response,
      byte[] name, int remaining, int intervalMillis) {
    if (remaining == 0) {
      response.onCompleted();
      return;
    }
    timer.schedule(() -> {
      response.onNext(name);
      sendEvery(timer, response, name, remaining - 1, intervalMillis);
    }, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private static byte[] named(byte[] name, byte[] payload) {
    byte[] out = Arrays.copyOf(name, name.length + 1 + payload.length);
    out[name.length] = '\n';
    System.arraycopy(payload, 0, out, name.length + 1, payload.length);
    return out;
  }

  /** {@code size} bytes that a truncated or shuffled response would not reproduce. */
  static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + (i >>> 8));
    }
    return b;
  }

  static byte[] size(int size) {
    return ByteBuffer.allocate(4).putInt(size).array();
  }

  static byte[] streamRequest(int count, int intervalMillis) {
    return ByteBuffer.allocate(8).putInt(count).putInt(intervalMillis).array();
  }

  /** The server name a response starts with. */
  static String serverOf(byte[] response) {
    int end = 0;
    while (end < response.length && response[end] != '\n') {
      end++;
    }
    return new String(response, 0, end, StandardCharsets.UTF_8);
  }

  /** What follows the server name in a response. */
  static byte[] payloadOf(byte[] response) {
    int start = serverOf(response).getBytes(StandardCharsets.UTF_8).length + 1;
    return Arrays.copyOfRange(response, Math.min(start, response.length), response.length);
  }

  /** One blocking unary call; returns the response. */
  static byte[] unary(Channel channel, int responseSize) {
    return ClientCalls.blockingUnaryCall(channel, UNARY,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), size(responseSize));
  }

  private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
