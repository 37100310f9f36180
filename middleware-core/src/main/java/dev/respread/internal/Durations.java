package dev.respread.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 2d},
 * compounds such as {@code 1h30m}, or ISO-8601 ({@code PT5M}).
 */
public final class Durations {
  private static final Pattern COMPOUND = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** What a valid duration looks like, for error messages. */
  public static final String EXPECTED = "a duration such as 500ms, 90s, 5m, 1h or PT5M";

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException if it is not a duration or does not fit in a
   *     {@link Duration}
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    String upper = s.toUpperCase(Locale.ROOT);
    if (upper.startsWith("PT") || upper.startsWith("P") || upper.startsWith("-P")) {
      try {
        return Duration.parse(upper);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not ISO-8601", e);
      }
    }
    String lower = s.toLowerCase(Locale.ROOT);
    if (!COMPOUND.matcher(lower).matches()) {
      throw new IllegalArgumentException("no unit or unknown unit");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(lower);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        Duration part;
        switch (m.group(2)) {
          case "ms":
            part = Duration.ofMillis(n);
            break;
          case "s":
            part = Duration.ofSeconds(n);
            break;
          case "m":
            part = Duration.ofMinutes(n);
            break;
          case "h":
            part = Duration.ofHours(n);
            break;
          default:
            part = Duration.ofDays(n);
            break;
        }
        total = total.plus(part);
      }
      // Durations beyond what nanosecond arithmetic can hold are overflow for the engine too.
      total.toNanos();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("overflow", e);
    }
    return total;
  }

  /** Formats {@code d} the way the README writes durations: {@code 90s}, {@code 5m}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toNanosPart() % 1_000_000 != 0 || d.isNegative()) {
      return d.toString();
    }
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
