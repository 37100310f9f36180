package dev.respread.grpc.internal;

import dev.respread.TrackedConnection;
import io.grpc.Attributes;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Reports every call to its connection's {@link TrackedConnection}: started when the call starts,
 * finished when it completes or is cancelled. grpc calls exactly one of
 * {@code Listener.onComplete()} and {@code Listener.onCancel()} per call, whatever its kind
 * (unary, streaming, bidi) and however it ends, so each start has exactly one finish.
 */
final class CallCountingInterceptor implements ServerInterceptor {
  private final Attributes.Key<TrackedConnection> key;

  CallCountingInterceptor(Attributes.Key<TrackedConnection> key) {
    this.key = key;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
      Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    TrackedConnection connection = call.getAttributes().get(key);
    if (connection == null) {
      return next.startCall(call, headers);
    }
    connection.requestStarted();
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException | Error e) {
      // grpc closes the call itself, but the listener that would have seen it never existed.
      connection.requestFinished();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          connection.requestFinished();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          connection.requestFinished();
        }
      }
    };
  }
}
