package dev.respread.demo;

import java.util.HashMap;
import java.util.Map;

/** Reads what the demo printed. */
final class DemoOutput {
  private DemoOutput() {}

  /** The {@code result:} line of {@code mode}, as key-value pairs. */
  static Map<String, String> result(String printed, String mode) {
    for (String line : printed.split("\n")) {
      if (line.startsWith("result: mode=" + mode + " ")) {
        Map<String, String> pairs = new HashMap<>();
        for (String pair : line.substring("result: ".length()).split(" ")) {
          String[] kv = pair.split("=", 2);
          pairs.put(kv[0], kv[1]);
        }
        return pairs;
      }
    }
    throw new AssertionError("no result line for " + mode + " in:\n" + printed);
  }
}
