package dev.respread.simulation;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints the simulation table: every scenario in every mode.
 *
 * <pre>
 * mvn -B -q -o -pl middleware-core test-compile exec:java \
 *     -Dexec.mainClass=dev.respread.simulation.SimulationMain -Dexec.classpathScope=test
 * </pre>
 */
public final class SimulationMain {
  private SimulationMain() {}

  public static void main(String[] args) {
    System.out.print(SimulationTable.format(runAll()));
  }

  static List<Outcome> runAll() {
    List<Outcome> outcomes = new ArrayList<>();
    for (Scenario s : Scenarios.all()) {
      for (Mode m : Mode.values()) {
        outcomes.add(Simulation.run(s, m));
      }
    }
    return outcomes;
  }
}
