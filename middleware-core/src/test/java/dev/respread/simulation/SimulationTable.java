package dev.respread.simulation;

import java.util.List;
import java.util.Locale;

/** Formats outcomes as the Markdown table that BENCHMARKS.md shows. */
final class SimulationTable {
  private SimulationTable() {}

  static String format(List<Outcome> outcomes) {
    StringBuilder sb = new StringBuilder();
    sb.append("| scenario | mode | time to balance | drains to balance | drains | "
        + "max/mean, last 5 min | heavy-client moves |\n");
    sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Outcome o : outcomes) {
      Scenario s = o.scenario();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.2f | %s |%n",
          s.name, o.mode().label,
          o.balanced() ? o.timeToBalanceSeconds() + " s" : "never",
          o.drainsToBalance(), o.drains(), o.finalRatio(),
          s.heavyClient < 0 ? "-" : o.heavyMoves() + " (" + o.heavyLoadMoves() + " by load)"));
    }
    return sb.toString();
  }
}
