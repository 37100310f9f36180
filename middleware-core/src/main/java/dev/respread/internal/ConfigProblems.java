package dev.respread.internal;

import dev.respread.InvalidConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * Reads settings from an environment map and checks them, collecting every problem so that one
 * exception can name them all. Each problem reads {@code NAME: "raw" (expected: ...)} for a
 * variable and {@code option: value (expected: ...)} for a value set in code.
 */
public final class ConfigProblems {
  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();

  public ConfigProblems(Map<String, String> env) {
    this.env = env;
  }

  /** Adds a problem for a value that failed a check involving other settings. */
  public void crossCheck(String variable, String option, String value, String expected) {
    if (env.containsKey(variable)) {
      add(variable + ": \"" + env.get(variable) + '"', expected);
    } else {
      add(option + ": " + value, expected);
    }
  }

  /** Adds a problem with a ready-made label such as {@code POD_NAME: ""}. */
  public void add(String label, String expected) {
    problems.add(label + " (expected: " + expected + ')');
  }

  /** The raw text of {@code variable}, or {@code null} if it is not set. */
  public String raw(String variable) {
    return env.get(variable);
  }

  public boolean bool(String variable, String option, boolean current) {
    String raw = env.get(variable);
    if (raw == null) {
      return current;
    }
    String s = raw.trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    add(variable + ": \"" + raw + '"', "true or false");
    return current;
  }

  public Duration duration(String variable, String option, Duration current, Duration min,
      Duration max) {
    String raw = env.get(variable);
    String expected = durationRange(min, max);
    Duration value = current;
    String label = option + ": " + (current == null ? "null" : Durations.format(current));
    if (raw != null) {
      label = variable + ": \"" + raw + '"';
      try {
        value = Durations.parse(raw);
      } catch (IllegalArgumentException e) {
        add(label, Durations.EXPECTED + ", " + expected);
        return current;
      }
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      add(label, expected);
    }
    return value;
  }

  private static String durationRange(Duration min, Duration max) {
    String low;
    if (min.isZero()) {
      low = ">= 0s";
    } else if (min.equals(Duration.ofMillis(1))) {
      low = "> 0s";
    } else {
      low = ">= " + Durations.format(min);
    }
    return low + " and <= " + Durations.format(max);
  }

  /**
   * Reads a decimal in {@code [min, max]}, or {@code (min, max]} when {@code minInclusive} is
   * false. NaN and infinities are always rejected.
   */
  public double decimal(String variable, String option, double current, double min,
      boolean minInclusive, double max, String expected) {
    String raw = env.get(variable);
    double value = current;
    String label = option + ": " + current;
    if (raw != null) {
      label = variable + ": \"" + raw + '"';
      try {
        value = Double.parseDouble(raw.trim());
      } catch (NumberFormatException e) {
        add(label, "a number, " + expected);
        return current;
      }
    }
    boolean low = minInclusive ? value >= min : value > min;
    if (Double.isNaN(value) || Double.isInfinite(value) || !low || value > max) {
      add(label, expected);
    }
    return value;
  }

  /** Reads a whole number in {@code [min, max]}. */
  public long integer(String variable, String option, long current, long min, long max) {
    return integer(variable, option, current, v -> v >= min && v <= max, min + " to " + max);
  }

  /**
   * Reads a request cap: {@code 0} turns it off, and {@code 1} is refused because it would close
   * every connection after its first request, which defeats keep-alive instead of spreading it.
   */
  public long requestCap(String variable, String option, long current) {
    return integer(variable, option, current, v -> v == 0 || v >= 2, "0 to turn off, or >= 2");
  }

  private long integer(String variable, String option, long current, LongPredicate valid,
      String expected) {
    String raw = env.get(variable);
    long value = current;
    String label = option + ": " + current;
    if (raw != null) {
      label = variable + ": \"" + raw + '"';
      try {
        value = Long.parseLong(raw.trim());
      } catch (NumberFormatException e) {
        add(label, "a whole number, " + expected);
        return current;
      }
    }
    if (!valid.test(value)) {
      add(label, expected);
    }
    return value;
  }

  public <E extends Enum<E>> E choice(String variable, String option, E current, Class<E> type) {
    String raw = env.get(variable);
    if (raw == null) {
      return current;
    }
    String s = raw.trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e;
      }
    }
    StringBuilder expected = new StringBuilder("one of ");
    E[] all = type.getEnumConstants();
    for (int i = 0; i < all.length; i++) {
      expected.append(i == 0 ? "" : ", ").append(all[i].name().toLowerCase(Locale.ROOT));
    }
    add(variable + ": \"" + raw + '"', expected.toString());
    return current;
  }

  /** Reports every variable starting with {@code prefix} that is not in {@code known}. */
  public void unknownVariables(String prefix, Set<String> known) {
    unknownNames(prefix, known, "a known " + prefix + " variable");
  }

  /**
   * Reports every name starting with {@code prefix} that is not in {@code known}, as not being
   * {@code expected}, with the closest known name as a suggestion. For settings that are not
   * environment variables, such as Spring properties.
   */
  public void unknownNames(String prefix, Set<String> known, String expected) {
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith(prefix) && !known.contains(name)) {
        String closest = closest(name, known);
        add(name + ": \"" + env.get(name) + '"', expected
            + (closest == null ? "" : "; did you mean " + closest + '?'));
      }
    }
  }

  private static String closest(String name, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : new TreeSet<>(known)) {
      int d = distance(name, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(3, name.length() / 4) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Throws one exception naming every problem found, if any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new InvalidConfigurationException(problems);
    }
  }
}
