package dev.respread.demo;

import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's one RPC, described by hand so that no protoc is needed: the request is ignored and
 * the response is the name of the pod that served it.
 */
final class HelloService {
  static final MethodDescriptor<byte[], byte[]> HELLO =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("respread.demo.Hello", "Hello"))
          .setRequestMarshaller(RawBytes.INSTANCE)
          .setResponseMarshaller(RawBytes.INSTANCE)
          .build();

  private HelloService() {}

  /** The service of pod {@code podName}, which counts each call it serves in {@code served}. */
  static ServerServiceDefinition definition(String podName, AtomicLong served) {
    byte[] name = podName.getBytes(StandardCharsets.UTF_8);
    return ServerServiceDefinition.builder("respread.demo.Hello")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
          served.incrementAndGet();
          response.onNext(name);
          response.onCompleted();
        }))
        .build();
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
