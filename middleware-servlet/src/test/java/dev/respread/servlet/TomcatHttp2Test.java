package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tomcat has no per-connection HTTP/2 hook, so the filter says so once at start-up and leaves
 * HTTP/2 connections alone rather than pretending to recycle them.
 */
class TomcatHttp2Test {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private final Logger jul = Logger.getLogger("dev.respread.servlet.internal.GenericSupport");
  private final Fixture fixture = new Fixture();
  private Recycling recycling;

  @AfterEach
  void stop() throws Exception {
    jul.removeHandler(capture);
    fixture.close();
  }

  @Test
  void startUpLogSaysHttp2IsNotRecycledAndHttp2ConnectionsAreLeftAlone() throws Exception {
    jul.addHandler(capture);
    recycling = fixture.recycling = Recycling.fastRecycling();
    TestServlet app = new TestServlet();
    Container.Running server = fixture.server =
        Container.tomcat(Container.initializer(recycling.recycler), app, true);

    assertThat(records).hasSize(1);
    assertThat(capture.getFormatter() == null ? records.get(0).getMessage()
        : capture.getFormatter().formatMessage(records.get(0)))
        .contains("HTTP/2 connections are NOT recycled");

    Clients.Result h2 = Clients.okHttpH2(server.url("/hello"), 2, 50);

    h2.assertNoFailures(50);
    assertThat(recycling.opened()).as("HTTP/2 connections registered").isZero();
    assertThat(recycling.drained()).isZero();
    assertThat(records).as("nothing more is logged per request").hasSize(1);
  }
}
