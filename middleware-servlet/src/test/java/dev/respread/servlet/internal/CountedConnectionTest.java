package dev.respread.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between requests and the idle sweep on containers without close events
 * (Tomcat): a request and the sweep each claim the entry by CAS, so a request never runs on an
 * entry that the engine has been told is closed (which would put a needless
 * {@code Connection: close} on its response), and the sweep never retires a connection in use.
 */
class CountedConnectionTest {
  /** The sweep retires any connection without a request in the filter. */
  private static final long ANY_IDLE_TIME = 0;

  private ConnectionRecycler recycler;
  private CountedConnection connection;

  @BeforeEach
  void register() {
    recycler = ConnectionRecycler.builder(RecyclingConfig.builder().build()).build();
    connection = new CountedConnection("connection-1", Protocol.HTTP_1_1) {
      @Override
      public void drain(RecycleReason reason, Duration grace) {
      }

      @Override
      public void forceClose() {
      }
    };
    connection.attach(recycler.register(connection, Protocol.HTTP_1_1));
  }

  @AfterEach
  void close() {
    recycler.close();
  }

  private boolean sweep() {
    return connection.retireIfIdle(System.nanoTime(), ANY_IDLE_TIME);
  }

  @Test
  void sweepDoesNotRetireAConnectionWithARequestInTheFilter() {
    assertThat(connection.requestStarted()).isTrue();

    assertThat(sweep()).isFalse();

    connection.requestFinished();
    assertThat(sweep()).isTrue();
  }

  @Test
  void requestThatFindsItsEntryRetiredIsNotCountedOnIt() {
    assertThat(sweep()).isTrue();

    assertThat(connection.requestStarted()).as("counted on the retired entry").isFalse();
    assertThat(connection.tracked().requests()).isZero();
  }

  @Test
  void closedConnectionStaysRetiredWhateverFinishesAfterwards() {
    assertThat(connection.requestStarted()).isTrue();

    connection.retire();
    connection.requestFinished();

    assertThat(connection.requestStarted()).isFalse();
  }
}
