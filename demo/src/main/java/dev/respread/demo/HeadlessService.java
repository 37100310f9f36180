package dev.respread.demo;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.SynchronizationContext;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Client-side balancing over a headless Service: no virtual IP, the Service's DNS name resolves to
 * every ready pod's address, and each client runs grpc-java's {@code round_robin} over all of
 * them, one connection per pod, each call on the next.
 *
 * <p>New pods reach a client only when it resolves the name again. grpc-java's DNS resolver does
 * so when a connection fails or ends, and then at most once per cache TTL
 * ({@code networkaddress.cache.ttl}, 30 s in grpc-java's resolver); a scale-out ends no
 * connection, so here each client resolves every {@code refresh}, as if its cached answer
 * expired, starting at a point of the period drawn from the seed, since clients start at
 * different times. A refresh in between, which grpc asks for when a connection ends, returns the
 * cached answer.
 */
final class HeadlessService implements ServiceBalancer {
  static final String SCHEME = "headless";

  private final Duration refresh;
  private final long seed;
  private volatile List<InetSocketAddress> endpoints = List.of();

  HeadlessService(Duration refresh, long seed) {
    if (refresh.toMillis() < 100) {
      throw new IllegalArgumentException(
          String.format("refresh: %s (expected: >= 100ms)", refresh));
    }
    this.refresh = refresh;
    this.seed = seed;
  }

  /** A headless Service has no address of its own: clients dial its pods. */
  @Override
  public InetSocketAddress address() {
    throw new UnsupportedOperationException("a headless Service has no virtual IP");
  }

  @Override
  public void endpoints(List<InetSocketAddress> ready) {
    endpoints = List.copyOf(ready);
  }

  /** {@code round_robin} over the pods this client resolved last. */
  @Override
  @SuppressWarnings("deprecation") // nameResolverFactory: a registry of one scheme is no simpler
  public NettyChannelBuilder channel(int client) {
    // Each client's phase in the period, the same for every mode of a seed.
    long phaseMillis = (long) (new Random(seed * 31 + client).nextDouble() * refresh.toMillis());
    return NettyChannelBuilder.forTarget(SCHEME + ":///hello")
        .nameResolverFactory(new NameResolver.Factory() {
          @Override
          public NameResolver newNameResolver(URI target, NameResolver.Args args) {
            return new Resolver(args, phaseMillis);
          }

          @Override
          public String getDefaultScheme() {
            return SCHEME;
          }
        })
        .defaultLoadBalancingPolicy("round_robin");
  }

  @Override
  public void close() {
    // Nothing runs outside the clients' channels.
  }

  /** One client's view of the Service's DNS name, cached for {@code refresh}. */
  private final class Resolver extends NameResolver {
    private final SynchronizationContext context;
    private final NameResolver.Args args;
    private final long phaseMillis;
    private Listener2 listener;
    private List<EquivalentAddressGroup> cached;
    private SynchronizationContext.ScheduledHandle timer;

    Resolver(NameResolver.Args args, long phaseMillis) {
      this.args = args;
      this.context = args.getSynchronizationContext();
      this.phaseMillis = phaseMillis;
    }

    @Override
    public String getServiceAuthority() {
      return "hello";
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
      timer = context.scheduleWithFixedDelay(this::resolve, phaseMillis, refresh.toMillis(),
          TimeUnit.MILLISECONDS, args.getScheduledExecutorService());
    }

    /** The answer expired: resolve the name again. Runs in the channel's context. */
    private void resolve() {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      for (InetSocketAddress a : endpoints) {
        groups.add(new EquivalentAddressGroup(a));
      }
      cached = groups;
      publish();
    }

    private void publish() {
      listener.onResult2(ResolutionResult.newBuilder().setAddresses(cached).build());
    }

    @Override
    public void refresh() {
      // Within the TTL a resolver answers from its cache.
      context.execute(this::publish);
    }

    @Override
    public void shutdown() {
      if (timer != null) {
        timer.cancel();
      }
    }
  }
}
