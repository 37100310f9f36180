package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecyclingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each container recycles continuously (every ~5 requests or 300 ms) while real clients send,
 * and no request fails: the server drains, the clients reconnect.
 */
class ContainerRecyclingTest {
  private final Fixture fixture = new Fixture();
  private final TestServlet app = new TestServlet();
  private Recycling recycling;

  private Container.Running start(Container container) throws Exception {
    return start(container, Recycling.fast().build());
  }

  private Container.Running start(Container container, RecyclingConfig config)
      throws Exception {
    Container.Running s = fixture.start(container, config, app);
    recycling = fixture.recycling;
    return s;
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void jdkHttpClientOverHttp11SeesNoFailureWhileConnectionsAreRecycled(Container container)
      throws Exception {
    Container.Running s = start(container);

    Clients.Result r = Clients.jdkHttp11(s.url("/hello"), 4, 400);

    r.assertNoFailures(400);
    recycling.assertRecycled("http/1.1", r.clientConnections());
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void curlOverHttp11SeesNoFailureWhileConnectionsAreRecycled(Container container)
      throws Exception {
    Container.Running s = start(container);

    Clients.Result r = Clients.curl(s.url("/hello"), false, 4, 50);

    r.assertNoFailures(200);
    recycling.assertRecycled("http/1.1", r.clientConnections());
  }

  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void h2loadOverHttp11SeesNoFailureWhileConnectionsAreRecycled(Container container)
      throws Exception {
    Container.Running s = start(container);

    Clients.H2load r = Clients.H2load.run(s.url("/hello"), 1000, 4, 1, true);

    r.assertAllSucceeded(1000);
    recycling.assertRecycled("http/1.1", (long) recycling.opened());
  }

  /**
   * Jetty answers streams that race its GOAWAY with REFUSED_STREAM, which OkHttp retries once;
   * with a drain every 5 requests a retry can land on a second draining connection. A cap of 50
   * still drains dozens of connections per run.
   */
  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void okHttpWithH2PriorKnowledgeSeesNoFailureWhileConnectionsAreRecycled(Container container)
      throws Exception {
    Container.Running s = start(container, Recycling.fast().maxRequestsPerConnection(50).build());

    Clients.Result r = Clients.okHttpH2(s.url("/hello"), 8, 2000);

    r.assertNoFailures(2000);
    r.assertServedOnceEach(app.served.get(), 2000);
    recycling.assertRecycled("h2", r.clientConnections());
  }

  /**
   * curl 7.88.1 cannot reuse an h2c prior-knowledge connection (the second URL fails with error
   * 16 even with recycling off), so each curl sends one slow (1.5 s) request on its own
   * connection and the drain (age ~300 ms) arrives while the response is still being prepared:
   * the GOAWAY must let the request finish.
   */
  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void curlWithH2PriorKnowledgeFinishesRequestsInFlightAcrossTheDrain(Container container)
      throws Exception {
    Container.Running s = start(container);
    Clients.Result r = new Clients.Result();

    Clients.parallel(4, 16, i -> r.add(Clients.curl(s.url("/slow?ms=1500"), true, 1, 1)));

    r.assertNoFailures(16);
    assertThat(recycling.drained("h2")).as("connections drained while a request ran")
        .isEqualTo(16);
    recycling.assertRecycled("h2", r.clientConnections());
  }

  /**
   * h2load 1.52 does not reconnect after a GOAWAY: it reports the requests it never sent as
   * errored (and failed) and streams above the GOAWAY's last stream id as failed. Every request
   * the server processed must have succeeded at h2load, and only streams in flight when the
   * client learnt that their connection was going away may have gone unanswered: at most
   * {@code streams} per drained connection.
   */
  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void h2loadOverH2cGetsEveryRequestItSentAnsweredWhileConnectionsAreRecycled(
      Container container) throws Exception {
    Container.Running s = start(container);
    int clients = 4;
    int streams = 8;

    Clients.H2load r = Clients.H2load.run(s.url("/hello"), 2000, clients, streams, false);
    System.out.println(r.output);

    // Streams sent after the GOAWAY's last stream id were not processed (RFC 9113 §6.8), and
    // h2load counts them failed rather than retrying them: what the server processed, succeeded.
    assertThat(app.served.get()).as("requests the server answered").isEqualTo(r.succeeded);
    assertThat(r.timeout).isZero();
    // Started but not answered: refused by a GOAWAY or a REFUSED_STREAM, not processed.
    int unanswered = r.started - r.succeeded;
    // A connection is registered on its first request, which it answers before any drain can
    // refuse a stream; after the first GOAWAY the client opens no stream on that connection, so
    // an unanswered one was one of at most `streams` open on a drained connection.
    assertThat((double) r.succeeded).as("answered: at least one per connection\n" + r.output)
        .isGreaterThanOrEqualTo(recycling.opened());
    assertThat((double) unanswered).as("unanswered: only streams in flight at a drain\n"
        + r.output)
        .isLessThanOrEqualTo(recycling.drained("h2") * streams);
    recycling.assertRecycled("h2", (long) recycling.opened());
    assertThat(recycling.forced()).as("connections closed hard").isZero();
  }
}
