package dev.respread.kubernetes.internal;

import dev.respread.internal.ConfigProblems;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the string settings the load views share, reporting problems the way the core does. */
public final class Settings {
  /** A label key or value as Kubernetes accepts it, roughly; the API server has the last word. */
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
   * Parses an equality label selector, {@code app=web,tier=api}. Set-based selectors
   * ({@code in}, {@code !=}) are refused because {@code metrics.k8s.io} is queried with equality
   * labels only.
   */
  public static Map<String, String> selector(ConfigProblems problems, String variable,
      Map<String, String> current) {
    String raw = problems.raw(variable);
    if (raw == null || raw.isBlank()) {
      return current;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String part : raw.split(",")) {
      String[] kv = part.trim().split("=", -1);
      if (kv.length != 2 || !LABEL_PART.matcher(kv[0].trim()).matches()
          || !(kv[1].isBlank() || LABEL_PART.matcher(kv[1].trim()).matches())) {
        problems.add(variable + ": \"" + raw + '"',
            "equality labels such as app=web,tier=api");
        return current;
      }
      labels.put(kv[0].trim(), kv[1].trim());
    }
    return Collections.unmodifiableMap(labels);
  }
}
