package dev.respread.grpc.internal.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Event loops that the one-argument wiring creates, because grpc refuses a custom channel
 * factory without event loops of the caller's own ({@code NettyServerBuilder
 * .assertEventLoopsAndChannelType}). NIO runs everywhere; daemon threads, as grpc's own defaults.
 * They are shut down once the server has stopped: its listening channels and every connection
 * closed.
 *
 * <p>Flavour: grpc-netty (the grpc-netty-shaded flavour is generated from this file at build time).
 */
public final class OwnedEventLoops {
  /** Lets grpc's own close listeners, which may queue work, run before the threads stop. */
  private static final long QUIET_PERIOD_MILLIS = 100;
  private static final long SHUTDOWN_TIMEOUT_MILLIS = 5_000;

  private final EventLoopGroup boss;
  private final EventLoopGroup worker;

  public OwnedEventLoops() {
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("respread-grpc-boss", true));
    worker = new NioEventLoopGroup(0, new DefaultThreadFactory("respread-grpc-worker", true));
  }

  public EventLoopGroup boss() {
    return boss;
  }

  public EventLoopGroup worker() {
    return worker;
  }

  /** Stops the threads; idempotent. */
  public void shutdown() {
    boss.shutdownGracefully(QUIET_PERIOD_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    worker.shutdownGracefully(QUIET_PERIOD_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
