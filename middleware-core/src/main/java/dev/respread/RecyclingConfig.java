package dev.respread;

import static java.util.Objects.requireNonNull;

import dev.respread.internal.ConfigProblems;
import dev.respread.internal.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The immutable settings of a {@link ConnectionRecycler}. Build one with {@link #builder()}, or
 * read it from the environment with {@link #fromEnvironment(Map)}; values from the environment
 * override those set on the builder.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>option</th><th>default</th></tr>
 *   <tr><td>{@code RESPREAD_ENABLED}</td><td>{@link #enabled()}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code RESPREAD_MAX_CONNECTION_AGE}</td><td>{@link #maxConnectionAge()}</td>
 *       <td>{@code 10m}</td></tr>
 *   <tr><td>{@code RESPREAD_MAX_CONNECTION_AGE_GRACE}</td>
 *       <td>{@link #maxConnectionAgeGrace()}</td><td>{@code 30s}</td></tr>
 *   <tr><td>{@code RESPREAD_JITTER}</td><td>{@link #jitter()}</td><td>{@code 0.1}</td></tr>
 *   <tr><td>{@code RESPREAD_MAX_REQUESTS_PER_CONNECTION}</td>
 *       <td>{@link #maxRequestsPerConnection()}</td><td>{@code 0} (off)</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_SOURCE}</td><td>{@link #loadSource()}</td>
 *       <td>{@code none}</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_THRESHOLD}</td><td>{@link #loadThreshold()}</td>
 *       <td>{@code 0.2}</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_MIN_DIFFERENCE}</td><td>{@link #loadMinDifference()}</td>
 *       <td>the view's noise floor</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_GAIN}</td><td>{@link #loadGain()}</td><td>{@code 0.5}</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_INTERVAL}</td><td>{@link #loadInterval()}</td>
 *       <td>{@code 1s}</td></tr>
 *   <tr><td>{@code RESPREAD_LOAD_MAX_STALENESS}</td><td>{@link #loadMaxStaleness()}</td>
 *       <td>{@code 2m}</td></tr>
 *   <tr><td>{@code RESPREAD_COLD_MAX_CONNECTION_AGE}</td>
 *       <td>{@link #coldMaxConnectionAge()}</td><td>4 × max connection age</td></tr>
 *   <tr><td>{@code RESPREAD_MAX_DRAINS_PER_SECOND}</td><td>{@link #maxDrainsPerSecond()}</td>
 *       <td>{@code 10}</td></tr>
 *   <tr><td>{@code RESPREAD_MAX_DRAINING_FRACTION}</td><td>{@link #maxDrainingFraction()}</td>
 *       <td>{@code 0.25}</td></tr>
 *   <tr><td>{@code RESPREAD_SHUTDOWN_DELAY}</td><td>{@link #shutdownDelay()}</td>
 *       <td>{@code 5s}</td></tr>
 *   <tr><td>{@code RESPREAD_GOAWAY_PING_TIMEOUT}</td><td>{@link #goAwayPingTimeout()}</td>
 *       <td>{@code 5s}</td></tr>
 * </table>
 *
 * <p>Durations accept {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h}, compounds such as
 * {@code 1h30m}, and ISO-8601 such as {@code PT5M}.
 */
public final class RecyclingConfig {

  /** No connection lives less than this, whatever the jitter draws. */
  public static final Duration MIN_CONNECTION_AGE = Duration.ofMillis(100);
  /** The longest grace accepted: longer drains hold pods for no benefit. */
  public static final Duration MAX_GRACE = Duration.ofHours(1);

  static final String ENABLED = "RESPREAD_ENABLED";
  static final String MAX_CONNECTION_AGE = "RESPREAD_MAX_CONNECTION_AGE";
  static final String MAX_CONNECTION_AGE_GRACE = "RESPREAD_MAX_CONNECTION_AGE_GRACE";
  static final String JITTER = "RESPREAD_JITTER";
  static final String MAX_REQUESTS = "RESPREAD_MAX_REQUESTS_PER_CONNECTION";
  static final String LOAD_SOURCE = "RESPREAD_LOAD_SOURCE";
  static final String LOAD_THRESHOLD = "RESPREAD_LOAD_THRESHOLD";
  static final String LOAD_MIN_DIFFERENCE = "RESPREAD_LOAD_MIN_DIFFERENCE";
  static final String LOAD_GAIN = "RESPREAD_LOAD_GAIN";
  static final String LOAD_INTERVAL = "RESPREAD_LOAD_INTERVAL";
  static final String LOAD_MAX_STALENESS = "RESPREAD_LOAD_MAX_STALENESS";
  static final String COLD_MAX_CONNECTION_AGE = "RESPREAD_COLD_MAX_CONNECTION_AGE";
  static final String MAX_DRAINS_PER_SECOND = "RESPREAD_MAX_DRAINS_PER_SECOND";
  static final String MAX_DRAINING_FRACTION = "RESPREAD_MAX_DRAINING_FRACTION";
  static final String SHUTDOWN_DELAY = "RESPREAD_SHUTDOWN_DELAY";
  static final String GOAWAY_PING_TIMEOUT = "RESPREAD_GOAWAY_PING_TIMEOUT";

  /** Every variable this class reads. */
  public static final Set<String> VARIABLES = Set.of(ENABLED, MAX_CONNECTION_AGE,
      MAX_CONNECTION_AGE_GRACE, JITTER, MAX_REQUESTS, LOAD_SOURCE, LOAD_THRESHOLD,
      LOAD_MIN_DIFFERENCE, LOAD_GAIN, LOAD_INTERVAL, LOAD_MAX_STALENESS, COLD_MAX_CONNECTION_AGE,
      MAX_DRAINS_PER_SECOND, MAX_DRAINING_FRACTION, SHUTDOWN_DELAY, GOAWAY_PING_TIMEOUT);

  private static final RecyclingConfig DEFAULTS = builder().build();

  private final boolean enabled;
  private final Duration maxConnectionAge;
  private final Duration maxConnectionAgeGrace;
  private final double jitter;
  private final long maxRequestsPerConnection;
  private final LoadSource loadSource;
  private final double loadThreshold;
  private final OptionalDouble loadMinDifference;
  private final double loadGain;
  private final Duration loadInterval;
  private final Duration loadMaxStaleness;
  private final Duration coldMaxConnectionAge;
  private final int maxDrainsPerSecond;
  private final double maxDrainingFraction;
  private final Duration shutdownDelay;
  private final Duration goAwayPingTimeout;

  private RecyclingConfig(Builder b, Duration coldMaxConnectionAge) {
    this.enabled = b.enabled;
    this.maxConnectionAge = b.maxConnectionAge;
    this.maxConnectionAgeGrace = b.maxConnectionAgeGrace;
    this.jitter = b.jitter;
    this.maxRequestsPerConnection = b.maxRequestsPerConnection;
    this.loadSource = b.loadSource;
    this.loadThreshold = b.loadThreshold;
    this.loadMinDifference = b.loadMinDifference;
    this.loadGain = b.loadGain;
    this.loadInterval = b.loadInterval;
    this.loadMaxStaleness = b.loadMaxStaleness;
    this.coldMaxConnectionAge = coldMaxConnectionAge;
    this.maxDrainsPerSecond = b.maxDrainsPerSecond;
    this.maxDrainingFraction = b.maxDrainingFraction;
    this.shutdownDelay = b.shutdownDelay;
    this.goAwayPingTimeout = b.goAwayPingTimeout;
  }

  /** The defaults, with nothing read from the environment. */
  public static RecyclingConfig defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the configuration from {@code env}, typically {@link System#getenv()}.
   *
   * @throws InvalidConfigurationException naming every bad variable, its value and what was
   *     expected
   */
  public static RecyclingConfig fromEnvironment(Map<String, String> env) {
    return builder().environment(env).build();
  }

  /**
   * Whether recycling is on. When off, adapters still count connections for the metrics but the
   * engine never drains one. Default {@code true}; {@code RESPREAD_ENABLED}.
   */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The age after which a connection is drained, a backstop that holds even without a load view.
   * Each connection draws its own limit from {@code maxConnectionAge × (1 ± jitter)} when it
   * opens, so that reconnects do not arrive in waves (gRFC A9); no draw is below
   * {@link #MIN_CONNECTION_AGE}. Default 10 minutes; {@code RESPREAD_MAX_CONNECTION_AGE}.
   */
  public Duration maxConnectionAge() {
    return maxConnectionAge;
  }

  /**
   * How long in-flight requests may run after a drain starts. When it runs out the connection is
   * closed hard and {@code respread.connections.forced} counts it. A request shorter than the
   * grace is never failed. Default 30 seconds, at most {@link #MAX_GRACE};
   * {@code RESPREAD_MAX_CONNECTION_AGE_GRACE}.
   */
  public Duration maxConnectionAgeGrace() {
    return maxConnectionAgeGrace;
  }

  /**
   * The relative spread applied to the age and request limits: a limit {@code L} becomes a value
   * drawn uniformly from {@code L × (1 - jitter)} to {@code L × (1 + jitter)}. Default
   * {@code 0.1}; {@code 0} turns jitter off; {@code RESPREAD_JITTER}.
   */
  public double jitter() {
    return jitter;
  }

  /**
   * The number of requests after which a connection is drained, jittered as
   * {@link #jitter()}, so that recycling follows traffic. {@code 0} turns the cap off. Default
   * {@code 0}; {@code RESPREAD_MAX_REQUESTS_PER_CONNECTION}.
   */
  public long maxRequestsPerConnection() {
    return maxRequestsPerConnection;
  }

  /** Where the Service's load comes from. Default {@link LoadSource#NONE}; {@code RESPREAD_LOAD_SOURCE}. */
  public LoadSource loadSource() {
    return loadSource;
  }

  /**
   * How far above the Service mean this pod must be before the load controller sheds: it acts
   * when {@code own > mean × (1 + threshold)}. Default {@code 0.2}; {@code RESPREAD_LOAD_THRESHOLD}.
   */
  public double loadThreshold() {
    return loadThreshold;
  }

  /**
   * The least absolute difference {@code own - mean}, in the view's unit (CPU cores, requests per
   * second), below which the controller never sheds, so that small Services do not chase noise.
   * Empty means the view's own {@link LoadView#noiseFloor()}. {@code RESPREAD_LOAD_MIN_DIFFERENCE}.
   */
  public OptionalDouble loadMinDifference() {
    return loadMinDifference;
  }

  /**
   * The share of the excess that one step of the controller sheds: it moves about
   * {@code gain × (1 - mean / own)} of this pod's requests. Default {@code 0.5};
   * {@code RESPREAD_LOAD_GAIN}.
   */
  public double loadGain() {
    return loadGain;
  }

  /** How often the load controller reads the view. Default 1 second; {@code RESPREAD_LOAD_INTERVAL}. */
  public Duration loadInterval() {
    return loadInterval;
  }

  /**
   * How old a snapshot may be before the controller ignores it and falls back to the age and
   * request rules. Default 2 minutes; {@code RESPREAD_LOAD_MAX_STALENESS}.
   */
  public Duration loadMaxStaleness() {
    return loadMaxStaleness;
  }

  /**
   * The hard cap on a connection's age while this pod is below the Service mean. A cold pod
   * suspends age recycling, since moving load away from it is churn with no gain, but never past
   * this age (jittered). Default 4 × {@link #maxConnectionAge()};
   * {@code RESPREAD_COLD_MAX_CONNECTION_AGE}.
   */
  public Duration coldMaxConnectionAge() {
    return coldMaxConnectionAge;
  }

  /**
   * The floor of the per-second drain budget. In any one second of its clock this server starts
   * at most {@code max(maxDrainsPerSecond, ceil(maxDrainingFraction × open connections))} drains
   * for age, load and scale-out, so that the budget grows with what the server carries: a fixed
   * number per pod lets pods with many connections shed proportionally fewer, and the counts
   * drift apart instead of evening out. Drains for the request cap and for shutdown are not
   * limited: the request cap is an explicit contract, as Envoy's
   * {@code max_requests_per_connection}. Default {@code 10}; {@code RESPREAD_MAX_DRAINS_PER_SECOND}.
   */
  public int maxDrainsPerSecond() {
    return maxDrainsPerSecond;
  }

  /**
   * The most connections draining at once for age, load and scale-out, as a fraction of the open
   * ones (at least one connection may always drain), and the share of the open connections the
   * per-second budget allows (see {@link #maxDrainsPerSecond()}). Default {@code 0.25};
   * {@code RESPREAD_MAX_DRAINING_FRACTION}.
   */
  public double maxDrainingFraction() {
    return maxDrainingFraction;
  }

  /**
   * How long {@link ConnectionRecycler#shutdown()} waits before draining every connection, so that
   * kube-proxy has removed the endpoint and reconnects go elsewhere. Default 5 seconds;
   * {@code RESPREAD_SHUTDOWN_DELAY}.
   */
  public Duration shutdownDelay() {
    return shutdownDelay;
  }

  /**
   * How long an HTTP/2 drain waits for the PING that follows the first GOAWAY before it sends the
   * final GOAWAY anyway. Default 5 seconds; {@code RESPREAD_GOAWAY_PING_TIMEOUT}.
   */
  public Duration goAwayPingTimeout() {
    return goAwayPingTimeout;
  }

  /**
   * The longest a two-phase HTTP/2 drain waits between its first GOAWAY (last-stream-id
   * 2<sup>31</sup>-1) and the final one: {@link #goAwayPingTimeout()}, but at most a quarter of
   * {@link #maxConnectionAgeGrace()}, so that the streams in flight keep most of the grace. An
   * adapter that can see the PING ack sends the final GOAWAY as soon as it arrives; one that
   * cannot (Undertow) waits this long. Derived, not set.
   */
  public Duration finalGoAwayDelay() {
    Duration quarterOfGrace = maxConnectionAgeGrace.dividedBy(4);
    return goAwayPingTimeout.compareTo(quarterOfGrace) < 0 ? goAwayPingTimeout : quarterOfGrace;
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.enabled = enabled;
    b.maxConnectionAge = maxConnectionAge;
    b.maxConnectionAgeGrace = maxConnectionAgeGrace;
    b.jitter = jitter;
    b.maxRequestsPerConnection = maxRequestsPerConnection;
    b.loadSource = loadSource;
    b.loadThreshold = loadThreshold;
    b.loadMinDifference = loadMinDifference;
    b.loadGain = loadGain;
    b.loadInterval = loadInterval;
    b.loadMaxStaleness = loadMaxStaleness;
    b.coldMaxConnectionAge = coldMaxConnectionAge;
    b.maxDrainsPerSecond = maxDrainsPerSecond;
    b.maxDrainingFraction = maxDrainingFraction;
    b.shutdownDelay = shutdownDelay;
    b.goAwayPingTimeout = goAwayPingTimeout;
    return b;
  }

  @Override
  public String toString() {
    return "RecyclingConfig{enabled=" + enabled
        + ", maxConnectionAge=" + Durations.format(maxConnectionAge)
        + ", maxConnectionAgeGrace=" + Durations.format(maxConnectionAgeGrace)
        + ", jitter=" + jitter
        + ", maxRequestsPerConnection=" + maxRequestsPerConnection
        + ", loadSource=" + loadSource.configName()
        + ", loadThreshold=" + loadThreshold
        + ", loadMinDifference=" + (loadMinDifference.isPresent()
            ? String.valueOf(loadMinDifference.getAsDouble()) : "view default")
        + ", loadGain=" + loadGain
        + ", loadInterval=" + Durations.format(loadInterval)
        + ", loadMaxStaleness=" + Durations.format(loadMaxStaleness)
        + ", coldMaxConnectionAge=" + Durations.format(coldMaxConnectionAge)
        + ", maxDrainsPerSecond=" + maxDrainsPerSecond
        + ", maxDrainingFraction=" + maxDrainingFraction
        + ", shutdownDelay=" + Durations.format(shutdownDelay)
        + ", goAwayPingTimeout=" + Durations.format(goAwayPingTimeout) + '}';
  }

  /**
   * A mutable builder of {@link RecyclingConfig}. Setters accept any value; {@link #build()}
   * checks them all at once and reports every problem in one exception.
   */
  public static final class Builder {
    private boolean enabled = true;
    private Duration maxConnectionAge = Duration.ofMinutes(10);
    private Duration maxConnectionAgeGrace = Duration.ofSeconds(30);
    private double jitter = 0.1;
    private long maxRequestsPerConnection;
    private LoadSource loadSource = LoadSource.NONE;
    private double loadThreshold = 0.2;
    private OptionalDouble loadMinDifference = OptionalDouble.empty();
    private double loadGain = 0.5;
    private Duration loadInterval = Duration.ofSeconds(1);
    private Duration loadMaxStaleness = Duration.ofMinutes(2);
    private Duration coldMaxConnectionAge;
    private int maxDrainsPerSecond = 10;
    private double maxDrainingFraction = 0.25;
    private Duration shutdownDelay = Duration.ofSeconds(5);
    private Duration goAwayPingTimeout = Duration.ofSeconds(5);
    private Map<String, String> environment = Map.of();

    private Builder() {}

    /** See {@link RecyclingConfig#enabled()}. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** See {@link RecyclingConfig#maxConnectionAge()}. */
    public Builder maxConnectionAge(Duration maxConnectionAge) {
      this.maxConnectionAge = requireNonNull(maxConnectionAge, "maxConnectionAge");
      return this;
    }

    /** See {@link RecyclingConfig#maxConnectionAgeGrace()}. */
    public Builder maxConnectionAgeGrace(Duration maxConnectionAgeGrace) {
      this.maxConnectionAgeGrace = requireNonNull(maxConnectionAgeGrace, "maxConnectionAgeGrace");
      return this;
    }

    /** See {@link RecyclingConfig#jitter()}. */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /** See {@link RecyclingConfig#maxRequestsPerConnection()}. */
    public Builder maxRequestsPerConnection(long maxRequestsPerConnection) {
      this.maxRequestsPerConnection = maxRequestsPerConnection;
      return this;
    }

    /** See {@link RecyclingConfig#loadSource()}. */
    public Builder loadSource(LoadSource loadSource) {
      this.loadSource = requireNonNull(loadSource, "loadSource");
      return this;
    }

    /** See {@link RecyclingConfig#loadThreshold()}. */
    public Builder loadThreshold(double loadThreshold) {
      this.loadThreshold = loadThreshold;
      return this;
    }

    /** See {@link RecyclingConfig#loadMinDifference()}. */
    public Builder loadMinDifference(double loadMinDifference) {
      this.loadMinDifference = OptionalDouble.of(loadMinDifference);
      return this;
    }

    /** See {@link RecyclingConfig#loadGain()}. */
    public Builder loadGain(double loadGain) {
      this.loadGain = loadGain;
      return this;
    }

    /** See {@link RecyclingConfig#loadInterval()}. */
    public Builder loadInterval(Duration loadInterval) {
      this.loadInterval = requireNonNull(loadInterval, "loadInterval");
      return this;
    }

    /** See {@link RecyclingConfig#loadMaxStaleness()}. */
    public Builder loadMaxStaleness(Duration loadMaxStaleness) {
      this.loadMaxStaleness = requireNonNull(loadMaxStaleness, "loadMaxStaleness");
      return this;
    }

    /** See {@link RecyclingConfig#coldMaxConnectionAge()}. */
    public Builder coldMaxConnectionAge(Duration coldMaxConnectionAge) {
      this.coldMaxConnectionAge = requireNonNull(coldMaxConnectionAge, "coldMaxConnectionAge");
      return this;
    }

    /** See {@link RecyclingConfig#maxDrainsPerSecond()}. */
    public Builder maxDrainsPerSecond(int maxDrainsPerSecond) {
      this.maxDrainsPerSecond = maxDrainsPerSecond;
      return this;
    }

    /** See {@link RecyclingConfig#maxDrainingFraction()}. */
    public Builder maxDrainingFraction(double maxDrainingFraction) {
      this.maxDrainingFraction = maxDrainingFraction;
      return this;
    }

    /** See {@link RecyclingConfig#shutdownDelay()}. */
    public Builder shutdownDelay(Duration shutdownDelay) {
      this.shutdownDelay = requireNonNull(shutdownDelay, "shutdownDelay");
      return this;
    }

    /** See {@link RecyclingConfig#goAwayPingTimeout()}. */
    public Builder goAwayPingTimeout(Duration goAwayPingTimeout) {
      this.goAwayPingTimeout = requireNonNull(goAwayPingTimeout, "goAwayPingTimeout");
      return this;
    }

    /**
     * Sets the environment that {@link #build()} reads {@code RESPREAD_*} variables from; they
     * override whatever this builder was given. Typically {@code System.getenv()}.
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(requireNonNull(environment, "environment"));
      return this;
    }

    /**
     * Applies the environment, checks every value and builds the configuration.
     *
     * @throws InvalidConfigurationException listing every bad value
     */
    public RecyclingConfig build() {
      ConfigProblems problems = new ConfigProblems(environment);
      // Each setting is read from the environment if present, then checked; the label names the
      // variable and its raw text when it came from there, the option and its value otherwise.
      enabled = problems.bool(ENABLED, "enabled", enabled);
      maxConnectionAge = problems.duration(MAX_CONNECTION_AGE, "maxConnectionAge",
          maxConnectionAge, MIN_CONNECTION_AGE, Duration.ofDays(365));
      maxConnectionAgeGrace = problems.duration(MAX_CONNECTION_AGE_GRACE, "maxConnectionAgeGrace",
          maxConnectionAgeGrace, Duration.ofMillis(1), MAX_GRACE);
      jitter = problems.decimal(JITTER, "jitter", jitter, 0.0, true, 1.0,
          "0.0 to 1.0");
      maxRequestsPerConnection = problems.requestCap(MAX_REQUESTS, "maxRequestsPerConnection",
          maxRequestsPerConnection);
      loadSource = problems.choice(LOAD_SOURCE, "loadSource", loadSource, LoadSource.class);
      loadThreshold = problems.decimal(LOAD_THRESHOLD, "loadThreshold", loadThreshold, 0.0,
          false, 10.0, "> 0.0 and <= 10.0");
      if (environment.containsKey(LOAD_MIN_DIFFERENCE) || loadMinDifference.isPresent()) {
        double d = problems.decimal(LOAD_MIN_DIFFERENCE, "loadMinDifference",
            loadMinDifference.orElse(0.0), 0.0, true, Double.MAX_VALUE, ">= 0.0");
        loadMinDifference = OptionalDouble.of(d);
      }
      loadGain = problems.decimal(LOAD_GAIN, "loadGain", loadGain, 0.0, false, 1.0,
          "> 0.0 and <= 1.0");
      loadInterval = problems.duration(LOAD_INTERVAL, "loadInterval", loadInterval,
          Duration.ofMillis(100), Duration.ofMinutes(1));
      loadMaxStaleness = problems.duration(LOAD_MAX_STALENESS, "loadMaxStaleness",
          loadMaxStaleness, Duration.ofSeconds(1), Duration.ofHours(1));
      Duration cold = coldMaxConnectionAge;
      if (environment.containsKey(COLD_MAX_CONNECTION_AGE) || cold != null) {
        cold = problems.duration(COLD_MAX_CONNECTION_AGE, "coldMaxConnectionAge",
            cold == null ? maxConnectionAge : cold, MIN_CONNECTION_AGE, Duration.ofDays(3650));
        if (cold != null && maxConnectionAge != null && cold.compareTo(maxConnectionAge) < 0) {
          problems.crossCheck(COLD_MAX_CONNECTION_AGE, "coldMaxConnectionAge",
              Durations.format(cold),
              ">= max connection age " + Durations.format(maxConnectionAge));
        }
      } else if (maxConnectionAge != null) {
        cold = maxConnectionAge.multipliedBy(4);
      }
      maxDrainsPerSecond = (int) problems.integer(MAX_DRAINS_PER_SECOND, "maxDrainsPerSecond",
          maxDrainsPerSecond, 1, 100_000);
      maxDrainingFraction = problems.decimal(MAX_DRAINING_FRACTION, "maxDrainingFraction",
          maxDrainingFraction, 0.0, false, 1.0, "> 0.0 and <= 1.0");
      shutdownDelay = problems.duration(SHUTDOWN_DELAY, "shutdownDelay", shutdownDelay,
          Duration.ZERO, Duration.ofMinutes(10));
      goAwayPingTimeout = problems.duration(GOAWAY_PING_TIMEOUT, "goAwayPingTimeout",
          goAwayPingTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
      problems.unknownVariables("RESPREAD_", knownVariables());
      problems.throwIfAny();
      return new RecyclingConfig(this, cold);
    }

    private static Set<String> knownVariables() {
      Map<String, Boolean> known = new LinkedHashMap<>();
      VARIABLES.forEach(v -> known.put(v, true));
      for (LoadViewProvider p : LoadViewProviders.all()) {
        p.variables().forEach(v -> known.put(v.toUpperCase(Locale.ROOT), true));
      }
      return known.keySet();
    }
  }
}
