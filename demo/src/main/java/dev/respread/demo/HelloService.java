package dev.respread.demo;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's RPCs, described by hand so that no protoc is needed: {@code Hello} (unary: the
 * request is ignored, the response is the name of the pod that served it), {@code Stream}
 * (server streaming: {@link #STREAM_MESSAGES} such responses, {@link #STREAM_SPACING_MILLIS}
 * apart) and {@code Chat} (bidi: each request answered with the pod's name, ended when the client
 * ends). Each response's headers carry {@value #CONNECTION_HEADER}, the pod's id of the
 * connection that carried the call, so that a client can count the connections it was given.
 */
final class HelloService {
  static final String SERVICE = "respread.demo.Hello";
  static final MethodDescriptor<byte[], byte[]> HELLO = method("Hello", MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> STREAM =
      method("Stream", MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> CHAT = method("Chat", MethodType.BIDI_STREAMING);
  static final int STREAM_MESSAGES = 5;
  static final long STREAM_SPACING_MILLIS = 10;
  /** The response header (gRPC metadata, HTTP header) that names the connection. */
  static final String CONNECTION_HEADER = "x-connection";
  static final Metadata.Key<String> CONNECTION_KEY =
      Metadata.Key.of(CONNECTION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Attributes.Key<String> CONNECTION_ID = Attributes.Key.create("connection");
  /** Spaces the messages of {@code Stream} calls, off the event loops. */
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hello-stream-timer");
        t.setDaemon(true);
        return t;
      });

  private HelloService() {}

  private static MethodDescriptor<byte[], byte[]> method(String name, MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(RawBytes.INSTANCE)
        .setResponseMarshaller(RawBytes.INSTANCE)
        .build();
  }

  /** The service of pod {@code podName}, which counts each call it serves in {@code served}. */
  static ServerServiceDefinition definition(String podName, AtomicLong served) {
    byte[] name = podName.getBytes(StandardCharsets.UTF_8);
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
          served.incrementAndGet();
          response.onNext(name);
          response.onCompleted();
        }))
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
          served.incrementAndGet();
          stream(name, (ServerCallStreamObserver<byte[]>) response, 0);
        }))
        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(response -> {
          served.incrementAndGet();
          return new StreamObserver<byte[]>() {
            @Override
            public void onNext(byte[] request) {
              response.onNext(name);
            }

            @Override
            public void onError(Throwable t) {
              // The client cancelled; there is nobody to answer.
            }

            @Override
            public void onCompleted() {
              response.onCompleted();
            }
          };
        }))
        .build();
  }

  private static void stream(byte[] name, ServerCallStreamObserver<byte[]> response, int sent) {
    if (response.isCancelled()) {
      return;
    }
    response.onNext(name);
    if (sent + 1 == STREAM_MESSAGES) {
      response.onCompleted();
    } else {
      TIMER.schedule(() -> stream(name, response, sent + 1), STREAM_SPACING_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /** Gives each connection of pod {@code podName} an id, from {@code ids}. */
  static ServerTransportFilter connectionIds(String podName, AtomicLong ids) {
    return new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
            .set(CONNECTION_ID, podName + "-" + ids.incrementAndGet())
            .build();
      }
    };
  }

  /** Puts the connection's id ({@link #connectionIds}) on every call's response headers. */
  static ServerInterceptor connectionHeader() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String id = call.getAttributes().get(CONNECTION_ID);
        return next.startCall(new SimpleForwardingServerCall<Q, R>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            if (id != null) {
              responseHeaders.put(CONNECTION_KEY, id);
            }
            super.sendHeaders(responseHeaders);
          }
        }, headers);
      }
    };
  }

  static String podOf(byte[] response) {
    return new String(response, StandardCharsets.UTF_8);
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
