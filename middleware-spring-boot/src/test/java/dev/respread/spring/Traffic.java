package dev.respread.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Clients sending a bounded number of requests at once, counting what failed and why. */
final class Traffic {
  /** One request; returns normally when it succeeded. */
  interface Call {
    void run(int client) throws Exception;
  }

  final AtomicInteger succeeded = new AtomicInteger();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  /** {@code clients} threads, each sending {@code requests} requests one after another. */
  static Traffic run(int clients, int requests, Call call) throws Exception {
    Traffic t = new Traffic();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(pool.submit(() -> {
          for (int i = 0; i < requests; i++) {
            t.send(client, call);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return t;
  }

  void send(int client, Call call) {
    try {
      call.run(client);
      succeeded.incrementAndGet();
    } catch (Exception e) {
      failures.add(e.toString());
    }
  }
}
