package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
import dev.respread.kubernetes.internal.ServiceLoad.Loads;
import dev.respread.kubernetes.internal.ServiceLoad.Members;
import dev.respread.kubernetes.internal.ServiceLoad.Sample;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The load, and without the Kubernetes API the members too, from one PromQL query sent to
 * {@code /api/v1/query} every interval. The query is built by {@link PromQl}: per pod
 * ({@link PromQl#combinePods}: each pod's load, and the pods whose target is up), or, for custom
 * queries that aggregate in the server, own, mean and members ({@link PromQl#combine}).
 */
public final class PrometheusQuery extends PolledLoadPart {
  /** The channel this part reports on. */
  public static final String CHANNEL = "query";

  /** What the query returns. */
  public enum Shape {
    /** Each pod's load; the members come from another part. */
    PODS(true, false),
    /** Each pod's load and the pods whose target is up, which are the members. */
    PODS_AND_UP(true, true),
    /** This pod's load and the mean; the members come from another part. */
    OWN_AND_MEAN(false, false),
    /** This pod's load, the mean and the number of members. */
    OWN_MEAN_AND_MEMBERS(false, true);

    final boolean perPod;
    final boolean givesMembers;

    Shape(boolean perPod, boolean givesMembers) {
      this.perPod = perPod;
      this.givesMembers = givesMembers;
    }

    /** Whether the query returns each pod's load, built by {@link PromQl#combinePods}. */
    public boolean perPod() {
      return perPod;
    }
  }

  private final URI queryUri;
  private final String query;
  private final Shape shape;
  private final Duration timeout;
  private final Path tokenFile;
  private final Duration window;
  private final Ticker ticker;
  private final Clock clock;
  private final HttpClient http;

  /**
   * @param base the Prometheus base URL
   * @param query the rendered query, built by {@link PromQl} for {@code shape}
   * @param tokenFile a file holding a bearer token, read on every query, or {@code null}
   * @param window the {@code {window}} of the query
   */
  public PrometheusQuery(URI base, String query, Shape shape, Duration interval,
      Duration timeout, Path tokenFile, Duration window, Ticker ticker, Clock clock) {
    super(CHANNEL, "prometheus-load-view", interval);
    String b = base.toString();
    this.queryUri = URI.create((b.endsWith("/") ? b : b + '/') + "api/v1/query");
    this.query = requireNonNull(query, "query");
    this.shape = requireNonNull(shape, "shape");
    this.timeout = requireNonNull(timeout, "timeout");
    this.tokenFile = tokenFile;
    this.window = requireNonNull(window, "window");
    this.ticker = requireNonNull(ticker, "ticker");
    this.clock = requireNonNull(clock, "clock");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  void read() {
    try {
      send();
    } catch (RuntimeException e) {
      // What the request or the answer did that was not foreseen (a token file holding a line
      // break is not a legal header value) is still one failed read: counted, logged once, and
      // the view serves its last snapshot, instead of an ERROR line on every refresh.
      health.failed(CHANNEL, FailureCause.MALFORMED, String.valueOf(e));
    }
  }

  private void send() {
    String body;
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(queryUri).timeout(timeout)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(
              "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
      if (tokenFile != null) {
        // Read on every refresh: projected service-account tokens are rotated in place.
        request.header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
      }
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        health.failed(CHANNEL, FailureCause.ofStatus(response.statusCode()),
            "HTTP " + response.statusCode());
        return;
      }
      body = response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (IOException e) {
      health.failed(CHANNEL, FailureCause.of(e, t -> 0), String.valueOf(e));
      return;
    }
    try {
      if (shape.perPod) {
        readPods(PromQl.parsePods(body));
      } else {
        readAggregated(PromQl.parse(body));
      }
    } catch (IOException e) {
      health.failed(CHANNEL, FailureCause.MALFORMED, e.getMessage());
    }
  }

  /**
   * A pod without a load series (one whose {@code rate()} has fewer than two samples, as after
   * every rollout) is left out of the mean; one that is up is a member all the same.
   */
  private void readPods(PromQl.PodAnswer a) {
    long at = Refresher.tickerTime(a.evaluatedAt, clock, ticker);
    Map<String, Sample> samples = new HashMap<>();
    a.load.forEach((pod, load) -> samples.put(pod, new Sample(load, at)));
    health.ok(CHANNEL);
    if (shape.givesMembers) {
      sink.both(Members.named(a.up, at), Loads.perPod(samples));
    } else {
      sink.loads(Loads.perPod(samples));
    }
  }

  /**
   * A missing part is a series that does not exist yet, so it gives less, never a failure: no
   * members, nothing; no own or mean load, membership only.
   */
  private void readAggregated(PromQl.Answer a) {
    long at = Refresher.tickerTime(a.evaluatedAt, clock, ticker);
    Loads loads = Loads.aggregated(a.own, a.mean, at);
    health.ok(CHANNEL);
    if (shape.givesMembers) {
      int members = a.members == null ? 0 : (int) Math.round(a.members);
      sink.both(Members.counted(members, at), loads);
    } else {
      sink.loads(loads);
    }
  }

  /** The {@code {window}} of the query. */
  @Override
  public Duration measurementWindow() {
    return window;
  }

  /** The query sent on every refresh, for logs and tests. */
  public String query() {
    return query;
  }
}
