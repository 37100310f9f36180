package dev.respread.servlet.internal;

import dev.respread.DrainableConnection;
import dev.respread.RecycleReason;
import dev.respread.TrackedConnection;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.RespreadGoAwayAnnouncement;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.Headers;
import java.io.Closeable;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * One Undertow connection: counts its requests and carries out the engine's drains.
 *
 * <p>HTTP/1.1: a drain does nothing out of band; the response being committed carries
 * {@code Connection: close} (RFC 9112 §9.6).
 *
 * <p>HTTP/2: {@link Http2Channel#sendGoAway(int)} writes GOAWAY(last stream received) and then
 * closes the connection at once, killing every stream still running. So the drain runs in two
 * phases on the connection's I/O thread:
 * <ol>
 *   <li>GOAWAY(2^31-1, NO_ERROR) tells the client to open no more streams here, without closing
 *       anything (see {@link RespreadGoAwayAnnouncement}).
 *   <li>After {@code announcementWait}, for streams the client sent before it read that frame,
 *       and once no counted request is in flight, Undertow's own GOAWAY ends the connection.
 * </ol>
 * If the announcement cannot be sent, phase 2 runs alone, which is the one-phase drain: mark,
 * wait for zero in flight, GOAWAY.
 *
 * <p>The remaining race is a stream that Undertow has read but respread has not counted when the
 * final GOAWAY goes. Counting on the I/O thread closes it: Undertow reads a stream's HEADERS and
 * runs the root handler for it in one I/O-thread task, and the final GOAWAY is decided in a
 * later task on the same thread, so every stream it covers is counted. The filter alone counts
 * on a worker thread, after a dispatch, and keeps the race.
 */
final class UndertowConnection
    implements DrainableConnection, ExchangeCompletionListener, ResponseCommitListener {
  private static final Logger logger = System.getLogger(UndertowConnection.class.getName());
  private static final AtomicBoolean fallbackLogged = new AtomicBoolean();

  private static final int OPEN = 0;
  private static final int ANNOUNCED = 1;
  private static final int AWAITING_IDLE = 2;
  private static final int GONE_AWAY = 3;

  /** The HTTP/2 channel, or {@code null} for HTTP/1.1. */
  private final Http2Channel http2;
  private final Closeable channel;
  private final XnioIoThread ioThread;
  private final Duration announcementWait;
  private volatile TrackedConnection tracked;
  private volatile Runnable onClosed;
  /** Only written on the I/O thread; read on worker threads when a request finishes. */
  private volatile int phase = OPEN;

  UndertowConnection(HttpServerConnection connection) {
    this.http2 = null;
    this.channel = connection;
    this.ioThread = connection.getIoThread();
    this.announcementWait = Duration.ZERO;
  }

  UndertowConnection(Http2Channel channel, Duration announcementWait) {
    this.http2 = channel;
    this.channel = channel;
    this.ioThread = channel.getIoThread();
    this.announcementWait = announcementWait;
  }

  /**
   * Call once, right after {@code recycler.register(this, ...)}: counts requests on
   * {@code tracked} and reports the close to it and to {@code onClosed}. A close listener added
   * to a connection that has already closed never runs, so the caller checks {@link #isOpen()}
   * afterwards and calls {@link #closed()} itself.
   */
  void attach(TrackedConnection tracked, Runnable onClosed) {
    this.onClosed = onClosed;
    this.tracked = tracked;
    if (http2 != null) {
      http2.addCloseTask(ch -> closed());
    } else {
      ((HttpServerConnection) channel).addCloseListener(c -> closed());
    }
    // A drain the engine started inside register() (at shutdown) reached phase 2 before the
    // tracked connection was known; the write of tracked above and the write of the phase in
    // awaitIdle() are both volatile, so at least one side sees the other and runs the check.
    if (phase == AWAITING_IDLE) {
      ioThread.execute(this::goAwayIfIdle);
    }
  }

  boolean isOpen() {
    return http2 != null ? http2.isOpen() : ((HttpServerConnection) channel).isOpen();
  }

  /** Idempotent: both calls below are. */
  void closed() {
    tracked.closed();
    onClosed.run();
  }

  void requestStarted(HttpServerExchange exchange) {
    tracked.requestStarted();
    exchange.addExchangeCompleteListener(this);
    if (http2 == null) {
      exchange.addResponseCommitListener(this);
    }
  }

  @Override
  public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
    try {
      tracked.requestFinished();
      if (phase == AWAITING_IDLE && tracked.inFlightRequests() == 0) {
        ioThread.execute(this::goAwayIfIdle);
      }
    } finally {
      next.proceed();
    }
  }

  @Override
  public void beforeCommit(HttpServerExchange exchange) {
    if (tracked.closeAfterResponse()) {
      exchange.setPersistent(false);
      exchange.getResponseHeaders().put(Headers.CONNECTION, Headers.CLOSE.toString());
    }
  }

  @Override
  public void drain(RecycleReason reason, Duration grace) {
    if (http2 != null) {
      ioThread.execute(() -> announce(reason));
    }
  }

  private void announce(RecycleReason reason) {
    if (phase != OPEN || !http2.isOpen()) {
      return;
    }
    try {
      RespreadGoAwayAnnouncement.send(http2, reason.tagValue());
      phase = ANNOUNCED;
      ioThread.executeAfter(this::awaitIdle, announcementWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (Exception | LinkageError e) {
      if (fallbackLogged.compareAndSet(false, true)) {
        logger.log(Level.WARNING, "respread cannot send Undertow a non-final GOAWAY, so HTTP/2 "
            + "drains run in one phase (GOAWAY and close once no request is in flight); "
            + "streams in transit at that moment may fail. Logged once.", e);
      }
      awaitIdle();
    }
  }

  private void awaitIdle() {
    phase = AWAITING_IDLE;
    goAwayIfIdle();
  }

  /** Runs on the I/O thread, so no stream can be read between the check and the GOAWAY. */
  private void goAwayIfIdle() {
    TrackedConnection t = tracked;
    if (t == null) {
      // A drain that started while the connection was being registered (at shutdown): attach()
      // runs this check again once it is.
      return;
    }
    if (phase == AWAITING_IDLE && t.inFlightRequests() == 0 && http2.isOpen()) {
      phase = GONE_AWAY;
      http2.sendGoAway(Http2Channel.ERROR_NO_ERROR);
    }
  }

  @Override
  public void forceClose() {
    ioThread.execute(() -> IoUtils.safeClose(channel));
  }

  @Override
  public String toString() {
    return "UndertowConnection{" + (http2 != null ? "h2" : "http/1.1") + ", phase=" + phase + '}';
  }
}
