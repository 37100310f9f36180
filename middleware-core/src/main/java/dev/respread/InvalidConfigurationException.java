package dev.respread;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Thrown when respread's configuration is invalid. The message lists every problem at once, one
 * per line, each naming the variable or option, its value and what was expected.
 */
public final class InvalidConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * Creates an exception listing {@code problems}.
   *
   * @param problems one line per bad setting, such as
   *     {@code RESPREAD_JITTER: "1.5" (expected: 0.0 to 1.0)}
   */
  public InvalidConfigurationException(List<String> problems) {
    super(message(requireNonNull(problems, "problems")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems: [] (expected: at least one)");
    }
    this.problems = List.copyOf(problems);
  }

  /** Each problem, in the order found. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    StringBuilder sb = new StringBuilder("Invalid respread configuration (")
        .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
    for (String p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
