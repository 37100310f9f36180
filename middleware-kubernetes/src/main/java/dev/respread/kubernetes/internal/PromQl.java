package dev.respread.kubernetes.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Builds the one PromQL query a Prometheus view sends per refresh, and reads its answer.
 *
 * <p>The parts (each pod's load and the pods that are up, or the own, mean and members queries)
 * are joined with {@code or}, each tagged by {@code label_replace} with a {@code respread_part}
 * label, so that one round trip returns them all, evaluated at the same instant. This keeps the
 * cost at one query per pod per refresh.
 */
public final class PromQl {
  /** The label that tells the parts of the answer apart. */
  static final String PART = "respread_part";
  private static final String LOAD = "load";
  private static final String UP = "up";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Sample times beyond this many seconds from 1970 do not fit an {@link Instant}. */
  private static final double MAX_EPOCH_SECOND = Instant.MAX.getEpochSecond();

  private PromQl() {}

  /**
   * What one query answered. A part the answer lacks is {@code null}: a query over series that do
   * not exist yet (a new pod whose {@code rate()} has fewer than two samples) returns nothing,
   * which is not the same as a NaN value, the sign of a broken query.
   */
  public static final class Answer {
    public final Double own;
    public final Double mean;
    public final Double members;
    public final Instant evaluatedAt;

    Answer(Double own, Double mean, Double members, Instant evaluatedAt) {
      this.own = own;
      this.mean = mean;
      this.members = members;
      this.evaluatedAt = evaluatedAt;
    }
  }

  /** Replaces {@code {name}} placeholders with PromQL-escaped values. */
  public static String render(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getValue() != null) {
        out = out.replace('{' + e.getKey() + '}', escape(e.getValue()));
      }
    }
    return out;
  }

  /** Escapes a value for a double-quoted PromQL string. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /**
   * The own, mean and members queries as one; without the members query if it is {@code null}
   * (the members then come from elsewhere).
   */
  public static String combine(String own, String mean, String members) {
    String ownAndMean = part(own, "own") + " or " + part(mean, "mean");
    return members == null ? ownAndMean : ownAndMean + " or " + part(members, "members");
  }

  private static String part(String query, String name) {
    return "label_replace((" + query + "), \"" + PART + "\", \"" + name + "\", \"\", \"\")";
  }

  /**
   * The query for each pod's load, tagged {@code load}, and, if {@code up} is not {@code null},
   * for the pods that are members, tagged {@code up}; both must return one series per pod, with
   * a {@code pod} label.
   */
  public static String combinePods(String load, String up) {
    return up == null ? part(load, LOAD) : part(load, LOAD) + " or " + part(up, UP);
  }

  /** What a query built by {@link #combinePods} answered. */
  public static final class PodAnswer {
    /** Each pod's load. */
    public final Map<String, Double> load;
    /** The pods the {@code up} part returned; empty if it returned none or was not sent. */
    public final Set<String> up;
    public final Instant evaluatedAt;

    PodAnswer(Map<String, Double> load, Set<String> up, Instant evaluatedAt) {
      this.load = load;
      this.up = up;
      this.evaluatedAt = evaluatedAt;
    }
  }

  /**
   * Reads a {@code /api/v1/query} answer to {@link #combine}.
   *
   * @throws IOException if it is not JSON, not a successful vector answer, has a part twice, a
   *     sample time that is not a time, or a value that is not a load (NaN from a division by
   *     zero, infinite or negative)
   */
  public static Answer parse(String body) throws IOException {
    Map<String, Double> parts = new HashMap<>();
    Instant at = read(body, (labels, v) -> {
      String name = labels.path(PART).asText("");
      if (parts.put(name, v) != null) {
        throw new IOException("the " + name + " query returned more than one series; "
            + "aggregate it, for example with sum(...)");
      }
    });
    return new Answer(parts.get("own"), parts.get("mean"), parts.get("members"), at);
  }

  /**
   * Reads a {@code /api/v1/query} answer to {@link #combinePods}. A series without a
   * {@code pod} label is no pod's and is left out.
   *
   * @throws IOException as {@link #parse}, and if a part has the same pod twice
   */
  public static PodAnswer parsePods(String body) throws IOException {
    Map<String, Double> load = new HashMap<>();
    Set<String> up = new HashSet<>();
    Instant at = read(body, (labels, v) -> {
      String part = labels.path(PART).asText("");
      String pod = labels.path("pod").asText("");
      boolean twice;
      if (pod.isEmpty()) {
        return;
      } else if (LOAD.equals(part)) {
        twice = load.put(pod, v) != null;
      } else if (UP.equals(part)) {
        twice = !up.add(pod);
      } else {
        return;
      }
      if (twice) {
        throw new IOException("the " + part + " query returned pod " + pod + " twice; "
            + "aggregate it by pod, for example with sum by (pod) (...)");
      }
    });
    return new PodAnswer(Map.copyOf(load), Set.copyOf(up), at);
  }

  private interface SeriesReader {
    void read(JsonNode labels, double value) throws IOException;
  }

  /** Checks the answer, hands each series to {@code reader}, and returns the latest time. */
  private static Instant read(String body, SeriesReader reader) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (root == null || !"success".equals(root.path("status").asText())) {
      throw new IOException("status is not success: " + abbreviate(body));
    }
    JsonNode data = root.path("data");
    if (!"vector".equals(data.path("resultType").asText()) || !data.path("result").isArray()) {
      throw new IOException("not an instant vector: " + abbreviate(body));
    }
    double latest = Double.NaN;
    for (JsonNode series : data.path("result")) {
      JsonNode value = series.path("value");
      if (!value.isArray() || value.size() != 2 || !value.get(0).isNumber()
          || !(Math.abs(value.get(0).asDouble()) <= MAX_EPOCH_SECOND)) {
        throw new IOException("not a [time, value] sample: " + abbreviate(series.toString()));
      }
      double v;
      try {
        // Prometheus writes values as strings, including "NaN" and "+Inf".
        v = Double.parseDouble(value.get(1).asText());
      } catch (NumberFormatException e) {
        throw new IOException("not a number: " + value.get(1), e);
      }
      if (!(Double.isFinite(v) && v >= 0)) {
        throw new IOException("not a load: " + abbreviate(series.toString()));
      }
      reader.read(series.path("metric"), v);
      latest = value.get(0).asDouble();
    }
    return Double.isNaN(latest) ? Instant.EPOCH
        : Instant.ofEpochSecond((long) Math.floor(latest),
            (long) ((latest - Math.floor(latest)) * 1e9));
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
