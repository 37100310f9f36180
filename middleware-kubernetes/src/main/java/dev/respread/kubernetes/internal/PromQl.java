package dev.respread.kubernetes.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the one PromQL query a Prometheus view sends per refresh, and reads its answer.
 *
 * <p>The own, mean and members queries are joined with {@code or}, each tagged by
 * {@code label_replace} with a {@code respread_part} label, so that one round trip returns all
 * three, evaluated at the same instant. This keeps the cost at one query per pod per refresh.
 */
public final class PromQl {
  /** The label that tells the three parts of the answer apart. */
  static final String PART = "respread_part";

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

  /** The combined query. */
  public static String combine(String own, String mean, String members) {
    return part(own, "own") + " or " + part(mean, "mean") + " or " + part(members, "members");
  }

  private static String part(String query, String name) {
    return "label_replace((" + query + "), \"" + PART + "\", \"" + name + "\", \"\", \"\")";
  }

  /**
   * Reads a {@code /api/v1/query} answer to {@link #combine}.
   *
   * @throws IOException if it is not JSON, not a successful vector answer, has a part twice, or
   *     a sample time that is not a time
   */
  public static Answer parse(String body) throws IOException {
    JsonNode root = JSON.readTree(body);
    if (root == null || !"success".equals(root.path("status").asText())) {
      throw new IOException("status is not success: " + abbreviate(body));
    }
    JsonNode data = root.path("data");
    if (!"vector".equals(data.path("resultType").asText()) || !data.path("result").isArray()) {
      throw new IOException("not an instant vector: " + abbreviate(body));
    }
    Map<String, Double> parts = new HashMap<>();
    double latest = Double.NaN;
    for (JsonNode series : data.path("result")) {
      String name = series.path("metric").path(PART).asText("");
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
      if (parts.put(name, v) != null) {
        throw new IOException("the " + name + " query returned more than one series; "
            + "aggregate it, for example with sum(...)");
      }
      latest = value.get(0).asDouble();
    }
    Instant at = Double.isNaN(latest) ? Instant.EPOCH
        : Instant.ofEpochSecond((long) Math.floor(latest),
            (long) ((latest - Math.floor(latest)) * 1e9));
    return new Answer(parts.get("own"), parts.get("mean"), parts.get("members"), at);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
