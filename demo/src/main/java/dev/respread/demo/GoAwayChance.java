package dev.respread.demo;

import dev.respread.ConnectionRecycler;
import dev.respread.grpc.GrpcRecycling;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's own trigger for two of the alternatives it compares, not a respread feature: each
 * call ends its connection gracefully with probability {@code chance}.
 *
 * <ul>
 *   <li>{@code goaway-chance}: kube-apiserver's {@code --goaway-chance} (its filter
 *       {@code WithProbabilisticGoaway}, k8s.io/apiserver {@code pkg/server/filters/goaway.go}),
 *       which sets {@code Connection: close} on an HTTP/2 response with probability p, on which
 *       Go's HTTP/2 server sends GOAWAY once the response is written.</li>
 *   <li>{@code close-every-request}: the same with probability 1, a gRPC server's
 *       {@code Connection: close} on every response. respread's own request cap cannot say it:
 *       {@code RESPREAD_MAX_REQUESTS_PER_CONNECTION} is 0 or at least 2.</li>
 * </ul>
 *
 * <p>The connection ends by grpc's own graceful shutdown, the one respread's drain uses: closing
 * the connection's Netty channel from outside its pipeline runs {@code NettyServerHandler.close()},
 * two GOAWAYs around a PING, after which the calls in flight finish. The channel of a call is
 * found by the call's remote address, recorded when the listening channel accepts it, as
 * respread's gRPC adapter finds its connections (grpc-java offers no public way from a call to its
 * channel). The decision is taken when the call starts, with {@link ThreadLocalRandom}: no lock.
 */
final class GoAwayChance implements AutoCloseable {
  /** The variable that gives a {@link PodMain} its chance; absent or 0 for none. */
  static final String VARIABLE = "DEMO_GOAWAY_CHANCE";
  /** The reason the demo's drain counts give the connections this trigger ended. */
  static final String REASON = "goaway_chance";
  /** The counter of {@link PodMain} that counts them, as Micrometer names it. */
  static final String COUNTER = "demo.goaways";

  private final double chance;
  private final ConcurrentMap<SocketAddress, Channel> connections = new ConcurrentHashMap<>();
  private final EventLoopGroup boss =
      new NioEventLoopGroup(1, new DefaultThreadFactory("goaway-chance-boss", true));
  private final EventLoopGroup worker =
      new NioEventLoopGroup(0, new DefaultThreadFactory("goaway-chance-worker", true));
  private final LongAdder goAways = new LongAdder();

  /** A trigger that ends a call's connection with probability {@code chance}, in (0, 1]. */
  GoAwayChance(double chance) {
    if (!(chance > 0 && chance <= 1)) {
      throw new IllegalArgumentException(
          String.format("goAwayChance: %s (expected: > 0 and <= 1)", chance));
    }
    this.chance = chance;
  }

  /**
   * The chance {@code value} names, as {@code --goaway-chance} or {@link #VARIABLE} give it: a
   * number from 0 (off) to 1.
   */
  static double parse(String name, String value) {
    double v;
    try {
      v = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(
          String.format("%s: \"%s\" (expected: a number from 0 to 1)", name, value));
    }
    return v;
  }

  /**
   * Wires respread's {@code recycler} into {@code builder} as {@link GrpcRecycling#configure}
   * does, on event loops of this trigger's own, with the trigger's interceptor and the listening
   * channel's accept hook. Call it once.
   *
   * @return {@code builder}
   */
  NettyServerBuilder configure(NettyServerBuilder builder, ConnectionRecycler recycler) {
    AcceptHook hook = new AcceptHook();
    builder.intercept(new Interceptor());
    return GrpcRecycling.configure(builder, recycler, boss, worker, () -> {
      ServerChannel channel = new NioServerSocketChannel();
      channel.pipeline().addLast("goaway-chance-accept", hook);
      return channel;
    });
  }

  /** Connections this trigger has ended. */
  long goAways() {
    return goAways.sum();
  }

  /** Shuts the event loops down; call it once the server has terminated. */
  @Override
  public void close() {
    worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Records each accepted connection by its remote address, until it closes. */
  @Sharable
  private final class AcceptHook extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel) {
        Channel child = (Channel) msg;
        SocketAddress remote = child.remoteAddress();
        if (remote != null) {
          connections.put(remote, child);
          child.closeFuture().addListener(f -> connections.remove(remote, child));
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      if (chance >= 1 || ThreadLocalRandom.current().nextDouble() < chance) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Channel channel = remote == null ? null : connections.remove(remote);
        if (channel != null) {
          // Once per connection: later calls that reach it before the client reads the GOAWAY
          // find it gone from the map. close() from outside the pipeline is grpc's graceful
          // shutdown; this call, already accepted, finishes on it.
          goAways.increment();
          channel.close();
        }
      }
      return next.startCall(call, headers);
    }
  }
}
