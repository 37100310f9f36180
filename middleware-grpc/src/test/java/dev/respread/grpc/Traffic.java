package dev.respread.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded client load of each call kind, recording every failed call. A call fails if it ends
 * with an error or if its responses are not exactly what the server must send.
 */
final class Traffic {
  private static final CallOptions OPTIONS = CallOptions.DEFAULT;
  private static final long DEADLINE_SECONDS = 30;

  final Queue<String> failures = new ConcurrentLinkedQueue<>();
  final AtomicInteger succeeded = new AtomicInteger();
  private final List<Runnable> workers = new ArrayList<>();

  /** {@code workers} threads, each making {@code calls} unary calls one after the other. */
  Traffic unary(Channel channel, int workers, int calls, int responseSize) {
    return add(workers, calls, () -> {
      byte[] response = EchoService.unary(channel, responseSize);
      byte[] payload = EchoService.payloadOf(response);
      if (!java.util.Arrays.equals(payload, EchoService.pattern(responseSize))) {
        throw new AssertionError("corrupt response of " + payload.length + " bytes");
      }
    });
  }

  /** Server-streaming calls of {@code messages} messages, one every {@code intervalMillis}. */
  Traffic serverStreaming(Channel channel, int workers, int calls, int messages,
      int intervalMillis) {
    return add(workers, calls, () -> {
      Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel, EchoService.STREAM,
          OPTIONS.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS),
          EchoService.streamRequest(messages, intervalMillis));
      int received = 0;
      while (it.hasNext()) {
        it.next();
        received++;
      }
      if (received != messages) {
        throw new AssertionError("received " + received + " of " + messages + " messages");
      }
    });
  }

  /** Bidi calls that send {@code messages} messages, each after the echo of the one before. */
  Traffic bidi(Channel channel, int workers, int calls, int messages) {
    return add(workers, calls, () -> bidiCall(channel, messages));
  }

  static void bidiCall(Channel channel, int messages) throws InterruptedException {
    Echoes echoes = new Echoes();
    ClientCall<byte[], byte[]> call = channel.newCall(EchoService.BIDI,
        OPTIONS.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, echoes);
    for (int i = 0; i < messages; i++) {
      requests.onNext(("m" + i).getBytes(StandardCharsets.UTF_8));
      echoes.awaitEcho(i + 1);
    }
    requests.onCompleted();
    echoes.awaitEnd();
  }

  private Traffic add(int count, int calls, Call body) {
    for (int w = 0; w < count; w++) {
      workers.add(() -> {
        for (int i = 0; i < calls; i++) {
          try {
            body.run();
            succeeded.incrementAndGet();
          } catch (Throwable t) {
            failures.add(t.toString());
          }
        }
      });
    }
    return this;
  }

  /** Runs every worker at once and waits for all of them. */
  Traffic run() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(workers.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Runnable w : workers) {
        done.add(pool.submit(w));
      }
      for (Future<?> f : done) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return this;
  }

  private interface Call {
    void run() throws Exception;
  }

  /** Collects a bidi call's echoes and its end. */
  static final class Echoes implements StreamObserver<byte[]> {
    private final AtomicInteger received = new AtomicInteger();
    private final CountDownLatch end = new CountDownLatch(1);
    private volatile Throwable error;

    @Override
    public void onNext(byte[] value) {
      synchronized (this) {
        received.incrementAndGet();
        notifyAll();
      }
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      end.countDown();
      synchronized (this) {
        notifyAll();
      }
    }

    @Override
    public void onCompleted() {
      end.countDown();
    }

    synchronized void awaitEcho(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (received.get() < count && error == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no echo " + count + " within " + DEADLINE_SECONDS + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      throwIfFailed();
    }

    void awaitEnd() throws InterruptedException {
      if (!end.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("bidi call did not end");
      }
      throwIfFailed();
    }

    Throwable error() {
      return error;
    }

    private void throwIfFailed() {
      if (error != null) {
        throw new AssertionError("bidi call failed: " + error, error);
      }
    }
  }
}
