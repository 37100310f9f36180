package dev.respread.demo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the demo in a network namespace of its own, so that its iptables rules (the Service) touch
 * nothing outside it: {@code ip netns add}, the demo in a child JVM under {@code ip netns exec},
 * then {@code ip netns del}, which takes the rules and the loopback with it. Needs root (or
 * CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2 and iptables.
 */
final class NetnsLauncher {
  /** Set in the child's environment: the namespace it runs in. */
  static final String NAMESPACE_VARIABLE = "DEMO_NETNS";

  private NetnsLauncher() {}

  /** Whether this JVM is the child, inside the namespace. */
  static boolean inside() {
    return System.getenv(NAMESPACE_VARIABLE) != null;
  }

  /**
   * Runs {@code DemoMain} with {@code args} in a new namespace, its output sent to
   * {@code output}, and returns its exit status.
   */
  static int run(List<String> args, ProcessBuilder.Redirect output)
      throws IOException, InterruptedException {
    String namespace = "respread-demo-" + ProcessHandle.current().pid();
    IptablesService.run("ip", "netns", "add", namespace);
    try {
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
          ProcessHandle.current().info().command()
              .orElse(System.getProperty("java.home") + "/bin/java"),
          "-cp", System.getProperty("java.class.path"), DemoMain.class.getName()));
      command.addAll(args);
      ProcessBuilder child = new ProcessBuilder(command)
          .redirectOutput(output)
          .redirectErrorStream(true);
      child.environment().put(NAMESPACE_VARIABLE, namespace);
      Process p = child.start();
      try {
        return p.waitFor();
      } finally {
        p.destroy();
      }
    } finally {
      IptablesService.run("ip", "netns", "del", namespace);
    }
  }
}
