package dev.respread.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Stopping the processes the demo starts and removing what they leave on disk. */
final class Processes {
  private Processes() {}

  /** SIGTERM, then SIGKILL if {@code process} has not exited after {@code timeout}. */
  static void stop(ProcessHandle process, Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (Exception notYet) {
      process.destroyForcibly();
    }
  }

  /**
   * As {@link #stop(ProcessHandle, Duration)}, through the {@link Process} itself: in the demo's
   * PID namespace {@code /proc} is the host's, so a {@code ProcessHandle} of a child looks up
   * the wrong pid.
   */
  static void stop(Process process, Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code chars} characters of a log file, for error messages. */
  static String tail(Path log, int chars) {
    try {
      String s = Files.readString(log);
      return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
    } catch (IOException e) {
      return "(no log: " + e + ')';
    }
  }

  /** Deletes {@code dir} and everything in it; what cannot be deleted is left. */
  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // A file that another process still writes: nothing better to do than leave it.
    }
  }
}
