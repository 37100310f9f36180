package dev.respread.servlet;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** External command-line clients. A missing tool fails the test that needs it; it never skips. */
final class Tools {
  private Tools() {
  }

  static String require(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError(tool + " is not on the PATH; install it (Debian: "
        + (tool.equals("h2load") ? "apt-get install nghttp2-client" : "apt-get install " + tool)
        + ")");
  }

  static final class Output {
    final int exitCode;
    final String stdout;
    final String stderr;

    Output(int exitCode, String stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }
  }

  static Output run(List<String> command, Duration timeout) throws Exception {
    Path out = Files.createTempFile("respread-tool", ".out");
    Path err = Files.createTempFile("respread-tool", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command.get(0) + " did not finish within " + timeout);
      }
      return new Output(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
