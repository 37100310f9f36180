package dev.respread.kubernetes.internal;

import dev.respread.internal.ConfigProblems;
import dev.respread.internal.Durations;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the string settings the load views share, reporting problems the way the core does. */
public final class Settings {
  /** A label key or value as Kubernetes accepts it, roughly; the API server has the last word. */
  private static final String SELECTOR = "equality labels such as app=web,tier=api";
  private static final Pattern LABEL_PART = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]*"
      + "[A-Za-z0-9])?");

  private Settings() {}

  /**
   * {@code variable} from the environment if set, else {@code current}; trimmed, and
   * {@code null} when blank.
   */
  public static String text(ConfigProblems problems, String variable, String current) {
    String raw = problems.raw(variable);
    String value = raw != null ? raw : current;
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.trim();
  }

  /** Adds a problem if {@code value} is missing, naming the variable or the builder option. */
  public static void require(ConfigProblems problems, String variable, String option,
      String value, String expected) {
    if (value == null) {
      problems.crossCheck(variable, option, "null", expected);
    }
  }

  /**
   * Parses an equality label selector, {@code app=web,tier=api}, from {@code variable}, or checks
   * {@code current}, set in code as {@code option}, the same way. Set-based selectors
   * ({@code in}, {@code !=}) are refused because {@code metrics.k8s.io} is queried with equality
   * labels only.
   */
  public static Map<String, String> selector(ConfigProblems problems, String variable,
      String option, Map<String, String> current) {
    String raw = problems.raw(variable);
    if (raw == null || raw.isBlank()) {
      if (!labels(current)) {
        problems.add(option + ": " + current, SELECTOR);
      }
      return current;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String part : raw.split(",")) {
      String[] kv = part.split("=", -1);
      if (kv.length != 2) {
        labels = null;
        break;
      }
      labels.put(kv[0].trim(), kv[1].trim());
    }
    if (labels == null || !labels(labels)) {
      problems.add(variable + ": \"" + raw + '"', SELECTOR);
      return current;
    }
    return Collections.unmodifiableMap(labels);
  }

  /** Whether every key and value is a label key or value; a value may be empty. */
  private static boolean labels(Map<String, String> labels) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!LABEL_PART.matcher(e.getKey()).matches()
          || !(e.getValue().isEmpty() || LABEL_PART.matcher(e.getValue()).matches())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a problem if {@code value}, set in code as {@code option}, is outside
   * {@code [min, max]}; worded as {@link ConfigProblems#duration} words its problems.
   */
  public static void range(ConfigProblems problems, String option, Duration value, Duration min,
      Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      problems.add(option + ": " + Durations.format(value),
          ">= " + Durations.format(min) + " and <= " + Durations.format(max));
    }
  }
}
