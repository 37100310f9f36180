package dev.respread.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Prints the simulation table: every scenario in every mode, with {@link Scenarios#TABLE_SEED}.
 * From the repository root:
 *
 * <pre>
 * mvn -B -q -pl middleware-core test-compile exec:java \
 *     -Dexec.mainClass=dev.respread.simulation.SimulationMain -Dexec.classpathScope=test
 * </pre>
 *
 * Arguments, if any, keep only the scenarios whose name contains one of them.
 */
public final class SimulationMain {
  private SimulationMain() {}

  /** Runs every scenario, or those whose name contains one of {@code args}. */
  public static void main(String[] args) {
    System.out.print(SimulationTable.format(run(List.of(args))));
  }

  static List<Outcome> run(List<String> names) {
    List<Outcome> outcomes = new ArrayList<>();
    for (LongFunction<Scenario> scenario : Scenarios.all()) {
      Scenario s = scenario.apply(Scenarios.TABLE_SEED);
      if (!names.isEmpty() && names.stream().noneMatch(s.name::contains)) {
        continue;
      }
      for (Mode m : Mode.values()) {
        outcomes.add(Simulation.run(s, m));
      }
    }
    return outcomes;
  }
}
