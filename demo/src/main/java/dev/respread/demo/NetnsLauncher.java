package dev.respread.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;

/**
 * Runs the demo in a network namespace of its own, so that its iptables rules (the Service) touch
 * nothing outside it. The child JVM starts under {@code unshare --net}: the namespace is never
 * named, and it ends with the child, whatever way the child ends, so nothing is left to delete.
 * The child is also the first process of a PID namespace of its own, so the processes it starts
 * (the pods and Prometheus of {@code --view prometheus}) are killed when it ends, however it
 * ends; and {@code --kill-child} ends it if {@code unshare} is killed. A shutdown hook ends the
 * child when this JVM is stopped. Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN), util-linux's
 * {@code unshare}, iproute2 and iptables.
 */
final class NetnsLauncher {
  /** Set in the child's environment, so that it knows it runs in its own namespace. */
  static final String INSIDE_VARIABLE = "DEMO_NETNS";
  /**
   * A directory for the child's files, which this JVM deletes when the child has ended, even if
   * it was killed before it could.
   */
  static final String WORK_DIR_VARIABLE = "DEMO_WORK_DIR";
  /**
   * The width of the terminal the child writes to, when it writes to one: its standard input is
   * not the terminal, so it cannot tell by itself.
   */
  static final String TERMINAL_VARIABLE = "DEMO_TERMINAL_WIDTH";

  private NetnsLauncher() {}

  /** Whether this JVM is the child, inside the namespace. */
  static boolean inside() {
    return System.getenv(INSIDE_VARIABLE) != null;
  }

  /** In the child: a new network namespace has only a loopback interface, and it is down. */
  static void bringUpLoopback() throws IOException, InterruptedException {
    IptablesService.run("ip", "link", "set", "lo", "up");
  }

  /**
   * Runs {@code DemoMain} with {@code args} in a new network namespace, its output sent to
   * {@code output}, and returns its exit status.
   */
  static int run(List<String> args, ProcessBuilder.Redirect output)
      throws IOException, InterruptedException {
    return run(args, output, 0);
  }

  /**
   * As {@link #run(List, ProcessBuilder.Redirect)}, with {@code output} a terminal
   * {@code terminal} columns wide (0: not a terminal).
   */
  static int run(List<String> args, ProcessBuilder.Redirect output, int terminal)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("unshare", "--net", "--pid", "--fork",
        "--kill-child", "--",
        ProcessHandle.current().info().command()
            .orElse(System.getProperty("java.home") + "/bin/java"),
        "-cp", System.getProperty("java.class.path"), DemoMain.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(output)
        .redirectErrorStream(true);
    builder.environment().put(INSIDE_VARIABLE, "1");
    builder.environment().put(TERMINAL_VARIABLE, Integer.toString(terminal));
    Path workDir = Files.createTempDirectory("respread-demo-");
    builder.environment().put(WORK_DIR_VARIABLE, workDir.toString());
    Process child;
    try {
      child = builder.start();
    } catch (IOException e) {
      Processes.delete(workDir);
      throw e;
    }
    Thread stopChild = new Thread(() -> {
      stop(child);
      Processes.delete(workDir);
    }, "demo-netns-child-stop");
    Runtime.getRuntime().addShutdownHook(stopChild);
    try {
      return child.waitFor();
    } finally {
      stop(child);
      Processes.delete(workDir);
      try {
        Runtime.getRuntime().removeShutdownHook(stopChild);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run.
      }
    }
  }

  private static void stop(Process unshare) {
    // unshare --fork ignores SIGTERM while it waits for its child: ask the demo inside to stop,
    // so that it cleans up; killing unshare then kills what is left.
    unshare.children().forEach(ProcessHandle::destroy);
    Processes.stop(unshare, Duration.ofSeconds(10));
  }
}
