package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads what the demo printed. */
final class DemoOutput {
  private DemoOutput() {}

  /**
   * Runs the demo with {@code args} in namespaces of its own ({@link NetnsLauncher}), its output
   * in {@code dir}, asserts that it exited with 0, and returns what it printed.
   */
  static String runInNamespaces(Path dir, String... args)
      throws IOException, InterruptedException {
    Path output = dir.resolve("demo.out");
    int status = NetnsLauncher.run(List.of(args), ProcessBuilder.Redirect.to(output.toFile()));
    String printed = Files.readString(output);
    assertThat(status).as(printed).isZero();
    return printed;
  }

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
