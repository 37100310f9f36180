package dev.respread.simulation;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.LoadSnapshot;
import dev.respread.LoadView;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.StaticLoadView;
import dev.respread.TrackedConnection;
import dev.respread.internal.RecyclerMetrics;
import dev.respread.testing.FakeClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a {@link Scenario} in one {@link Mode}: real {@link ConnectionRecycler}s, one per pod, on
 * one {@link FakeClock}, behind a balancer that picks a pod uniformly at random for each new
 * connection, as kube-proxy does. Single-threaded and seeded, so a run always gives the same
 * {@link Outcome}.
 *
 * <p>Every 100 ms step: clients whose connection was drained close it and reconnect to a random
 * ready pod (an HTTP/2 client opens a new connection on GOAWAY and its streams, all shorter than
 * a step, have finished); each client sends its requests for the step; the clock advances, which
 * runs the recyclers' ticks. With the {@linkplain ViewModel#exact() exact view}, every simulated
 * second each pod's view gets that second's request rates: own, the mean over the ready members,
 * and the member count. With a {@linkplain ViewModel#prometheus Prometheus view}, each pod's
 * counter is scraped and each pod's view queries the scraped samples, as the model describes.
 */
final class Simulation {
  /** The busiest pod may carry this much more than the mean and still count as balanced. */
  static final double BALANCED = 1.2;
  /** How long the Service must stay balanced for it to count as balanced. */
  static final long HOLD_SECONDS = 60;

  private static final int STEPS_PER_SECOND = 10;
  private static final Duration STEP = Duration.ofMillis(1000 / STEPS_PER_SECOND);

  private final Scenario scenario;
  private final Mode mode;
  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Random balancer;
  private final List<Pod> pods = new ArrayList<>();
  private final List<Client> clients = new ArrayList<>();
  private long drains;
  private long forcedCloses;

  private Simulation(Scenario scenario, Mode mode) {
    this.scenario = scenario;
    this.mode = mode;
    this.balancer = new Random(scenario.seed);
  }

  static Outcome run(Scenario scenario, Mode mode) {
    return new Simulation(scenario, mode).run();
  }

  private Outcome run() {
    int seconds = (int) (scenario.eventSecond + scenario.durationSeconds);
    double[] ratios = new double[seconds];
    long[] drainsBySecond = new long[seconds];
    addPods(scenario.initialPods);
    for (int i = 0; i < scenario.clients.size(); i++) {
      Client c = new Client(scenario.clients.get(i));
      clients.add(c);
      c.connect();
    }
    try {
      for (int second = 0; second < seconds; second++) {
        if (scenario.scalesOut() && second == scenario.eventSecond) {
          addPods(scenario.podsAfterScaleOut - pods.size());
        }
        for (int step = 0; step < STEPS_PER_SECOND; step++) {
          for (Client c : clients) {
            c.reconnectIfDrained();
          }
          for (Client c : clients) {
            c.send(second);
          }
          clock.advance(STEP);
          if (!scenario.view.exactView()) {
            scrapeAndQuery();
          }
        }
        ratios[second] = publishLoad();
        drainsBySecond[second] = drains;
      }
      Client heavy = scenario.heavyClient < 0 ? null : clients.get(scenario.heavyClient);
      return new Outcome(scenario, mode, ratios, drainsBySecond, serverDrains(), forcedCloses,
          heavy == null
              ? Outcome.Moves.NONE
              : new Outcome.Moves(heavy.moves, heavy.loadMoves, heavy.pingPongs));
    } finally {
      for (Pod p : pods) {
        p.recycler.close();
      }
    }
  }

  private void addPods(int count) {
    for (int i = 0; i < count; i++) {
      pods.add(new Pod(pods.size()));
    }
  }

  /** One step of the Prometheus model: due scrapes, then due queries of the pods' views. */
  private void scrapeAndQuery() {
    long now = clock.nanoTime();
    long scrape = scenario.view.scrape.toNanos();
    for (Pod p : pods) {
      if (now - p.addedAt >= scenario.view.discovery.toNanos()
          && Math.floorMod(now - p.scrapeOffset, scrape) < STEP.toNanos()) {
        p.samples.addLast(new long[] {now, p.servedTotal});
        while (now - p.samples.peekFirst()[0] > scenario.view.window.toNanos()) {
          p.samples.removeFirst();
        }
      }
    }
    for (Pod p : pods) {
      if (p.view == null) {
        continue;
      }
      if (Math.floorMod(now - p.queryOffset, scrape) < STEP.toNanos()) {
        p.answer = query(p, now);
        p.view.set(p.answer);
      } else if (scenario.view.endpointSlices && p.answer != null) {
        // The watch keeps the members current between two load queries.
        LoadSnapshot a = p.answer;
        int members = endpointSliceMembers(now);
        p.view.set(a.hasLoad()
            ? LoadSnapshot.of(a.ownLoad(), a.meanLoad(), members, a.reportingMembers(),
                a.loadObservedAtNanos(), now)
            : LoadSnapshot.membersOnly(members, now));
      }
    }
  }

  /**
   * What Prometheus's {@code rate()} over the window answers: the increase between the first
   * and last samples, extrapolated towards the window's edges (all the way when a sample lies
   * within 1.1 scrape intervals of the edge, else half an interval, and never below a zero
   * count), divided by the whole window. A series younger than the window is diluted.
   */
  private double prometheusRate(ArrayDeque<long[]> samples, long now) {
    long[] first = samples.peekFirst();
    long[] last = samples.peekLast();
    double window = scenario.view.window.toNanos();
    double span = last[0] - first[0];
    double increase = last[1] - first[1];
    double average = span / (samples.size() - 1);
    double toStart = first[0] - (now - window);
    double toEnd = now - last[0];
    if (increase > 0 && first[1] >= 0) {
      toStart = Math.min(toStart, span * first[1] / increase);
    }
    double threshold = average * 1.1;
    double extrapolateTo = span + (toStart < threshold ? toStart : average / 2)
        + (toEnd < threshold ? toEnd : average / 2);
    return increase * extrapolateTo / span * 1e9 / window;
  }

  private int endpointSliceMembers(long now) {
    int members = scenario.ghostMembers;
    for (Pod p : pods) {
      if (now - p.addedAt >= ViewModel.ENDPOINT_SLICE_LAG.toNanos()) {
        members++;
      }
    }
    return members;
  }

  /**
   * What a query at {@code now} answers: members are the targets that are up (scraped at least
   * once), ghosts included; a member's load is its rate over the window, from its first and last
   * samples, and a member with fewer than two samples reports none.
   */
  private LoadSnapshot query(Pod own, long now) {
    int members = scenario.ghostMembers;
    int reporting = scenario.ghostMembers; // ghosts report a load of zero
    double sum = 0;
    double ownRate = Double.NaN;
    for (Pod p : pods) {
      boolean member = scenario.view.endpointSlices
          ? now - p.addedAt >= ViewModel.ENDPOINT_SLICE_LAG.toNanos()
          : !p.samples.isEmpty();
      if (!member) {
        continue;
      }
      members++;
      if (p.samples.size() < 2) {
        continue;
      }
      double rate = prometheusRate(p.samples, now);
      sum += rate;
      reporting++;
      if (p == own) {
        ownRate = rate;
      }
    }
    if (members == 0) {
      return LoadSnapshot.unavailable();
    }
    if (Double.isNaN(ownRate)) {
      return LoadSnapshot.membersOnly(members, now);
    }
    return LoadSnapshot.of(ownRate, sum / reporting, members, reporting, now, now);
  }

  /**
   * Gives every pod's view this second's rates and returns the busiest pod over the mean. The
   * views' mean counts ghost members, which take no traffic; the returned ratio does not, since
   * no recycling can move load onto a ghost.
   */
  private double publishLoad() {
    long total = 0;
    long busiest = 0;
    for (Pod p : pods) {
      p.rate = p.served;
      p.served = 0;
      total += p.rate;
      busiest = Math.max(busiest, p.rate);
    }
    int members = pods.size() + scenario.ghostMembers;
    double mean = (double) total / members;
    for (Pod p : pods) {
      if (p.view != null && scenario.view.exactView()) {
        p.view.update(p.rate, mean, members);
      }
    }
    return total == 0 ? 1.0 : busiest / ((double) total / pods.size());
  }

  private Map<RecycleReason, Long> serverDrains() {
    Map<RecycleReason, Long> byReason = new EnumMap<>(RecycleReason.class);
    for (RecycleReason r : RecycleReason.values()) {
      double n = registry.find(RecyclerMetrics.CONNECTIONS_DRAINED).tag("reason", r.tagValue())
          .counters().stream().mapToDouble(Counter::count).sum();
      byReason.put(r, Math.round(n));
    }
    return byReason;
  }

  /** One pod: a recycler and, in respread mode, the view the simulation feeds. */
  private final class Pod {
    final ConnectionRecycler recycler;
    final StaticLoadView view;
    final long addedAt = clock.nanoTime();
    /** Where in each scrape interval this pod is scraped, and where its view queries. */
    final long scrapeOffset;
    final long queryOffset;
    /** Scraped samples {time, requests so far} within the window. */
    final ArrayDeque<long[]> samples = new ArrayDeque<>();
    /** The view's last answer to its query. */
    LoadSnapshot answer;
    long served;
    long servedTotal;
    long rate;

    Pod(int index) {
      Random jitter = new Random(scenario.seed * 1_000_003L + index);
      Random offsets = new Random(scenario.seed * 7_919L + index);
      long steps = Math.max(1, scenario.view.scrape.toNanos() / STEP.toNanos());
      scrapeOffset = offsets.nextInt((int) steps) * STEP.toNanos();
      queryOffset = offsets.nextInt((int) steps) * STEP.toNanos();
      ConnectionRecycler.Builder b = ConnectionRecycler.builder(
              mode == Mode.RESPREAD && scenario.respreadConfig != null
                  ? scenario.respreadConfig : mode.config)
          .ticker(clock)
          .scheduler(clock.scheduler())
          .meterRegistry(registry)
          .name("pod-" + index)
          .random(jitter::nextDouble);
      if (mode.loadView) {
        view = new StaticLoadView(clock);
        // The view's window tells the controller how much of its own sheds a value covers.
        b.loadView(new LoadView() {
          @Override
          public LoadSnapshot latest() {
            return view.latest();
          }

          @Override
          public Duration measurementWindow() {
            return scenario.view.window;
          }
        });
      } else {
        view = null;
      }
      recycler = b.build();
    }
  }

  /** One client: one connection at a time, and a steady or flapping request rate. */
  private final class Client implements DrainableConnection {
    final Scenario.Weight weight;
    Pod pod;
    TrackedConnection tracked;
    boolean drainRequested;
    /** Requests owed, in tenths, so that every rate is met exactly each second. */
    long owedTenths;
    int moves;
    int loadMoves;
    /** Load moves that came right after another load move, with no other drain between. */
    int pingPongs;
    boolean lastMoveByLoad;

    Client(Scenario.Weight weight) {
      this.weight = weight;
    }

    void connect() {
      pod = pods.get(balancer.nextInt(pods.size()));
      drainRequested = false;
      tracked = pod.recycler.register(this, Protocol.HTTP_2);
    }

    void reconnectIfDrained() {
      if (drainRequested) {
        tracked.closed();
        connect();
      }
    }

    void send(long second) {
      owedTenths += Math.round(weight.requestsPerSecond(second) * scenario.trafficFactor(second));
      long n = owedTenths / STEPS_PER_SECOND;
      owedTenths -= n * STEPS_PER_SECOND;
      for (long i = 0; i < n; i++) {
        tracked.requestStarted();
        tracked.requestFinished();
      }
      pod.served += n;
      pod.servedTotal += n;
    }

    /** The pod sent GOAWAY: reconnect at the next step, after in-flight requests are done. */
    @Override
    public void drain(RecycleReason reason, Duration grace) {
      if (drainRequested) {
        return;
      }
      drainRequested = true;
      drains++;
      moves++;
      boolean byLoad = reason == RecycleReason.LOAD || reason == RecycleReason.SCALE_OUT;
      if (byLoad) {
        loadMoves++;
        if (lastMoveByLoad) {
          pingPongs++;
        }
      }
      lastMoveByLoad = byLoad;
    }

    @Override
    public void forceClose() {
      forcedCloses++;
    }
  }
}
