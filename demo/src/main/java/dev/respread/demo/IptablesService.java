package dev.respread.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The Service as kube-proxy's iptables mode writes it: a virtual IP whose new connections jump to
 * a chain of DNAT rules, rule {@code i} of {@code n} taken with probability {@code 1/(n-i)}
 * ({@code -m statistic --mode random}), so each endpoint gets {@code 1/n}. Conntrack keeps an
 * open connection on the endpoint it was given; a rules update only changes new connections.
 *
 * <p>It changes the {@code nat} table of the network namespace it runs in, so the demo runs it in
 * a namespace of its own ({@link NetnsLauncher}), where the loopback interface carries both the
 * virtual IP and the pods.
 */
final class IptablesService implements ServiceBalancer {
  static final String CHAIN = "RESPREAD-DEMO-SVC";
  private final InetSocketAddress address;
  private final String chain;

  IptablesService(InetSocketAddress address) throws IOException, InterruptedException {
    this(address, CHAIN);
  }

  /** A Service whose rules are in {@code chain}: one chain per Service port, as kube-proxy. */
  IptablesService(InetSocketAddress address, String chain)
      throws IOException, InterruptedException {
    this.address = address;
    this.chain = chain;
    run("iptables", "-w", "-t", "nat", "-N", chain);
    // Locally sent packets go through OUTPUT, where kube-proxy also hooks its KUBE-SERVICES.
    run("iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d",
        address.getAddress().getHostAddress(), "--dport", String.valueOf(address.getPort()),
        "-j", chain);
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  /** Rewrites the chain in one {@code iptables-restore}, as kube-proxy does. */
  @Override
  public void endpoints(List<InetSocketAddress> ready) {
    try {
      restore(rules(chain, ready));
    } catch (IOException e) {
      throw new IllegalStateException("iptables-restore failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while updating iptables", e);
    }
  }

  /** The {@code iptables-restore} input that sends new connections to {@code ready}. */
  static String rules(List<InetSocketAddress> ready) {
    return rules(CHAIN, ready);
  }

  private static String rules(String chain, List<InetSocketAddress> ready) {
    StringBuilder b = new StringBuilder("*nat\n");
    // Declaring the chain flushes it under --noflush; the rest of the table is left alone.
    b.append(':').append(chain).append(" - [0:0]\n");
    int n = ready.size();
    for (int i = 0; i < n; i++) {
      b.append("-A ").append(chain).append(" -p tcp");
      if (i < n - 1) {
        b.append(String.format(Locale.ROOT,
            " -m statistic --mode random --probability %.10f", 1.0 / (n - i)));
      }
      InetSocketAddress e = ready.get(i);
      b.append(" -j DNAT --to-destination ").append(e.getAddress().getHostAddress()).append(':')
          .append(e.getPort()).append('\n');
    }
    return b.append("COMMIT\n").toString();
  }

  private static void restore(String rules) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("iptables-restore", "-w", "--noflush")
        .redirectErrorStream(true).start();
    p.getOutputStream().write(rules.getBytes(StandardCharsets.US_ASCII));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("iptables-restore: " + out.trim() + "\n" + rules);
    }
  }

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + ": " + out.trim());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    run("iptables", "-w", "-t", "nat", "-D", "OUTPUT", "-p", "tcp", "-d",
        address.getAddress().getHostAddress(), "--dport", String.valueOf(address.getPort()),
        "-j", chain);
    run("iptables", "-w", "-t", "nat", "-F", chain);
    run("iptables", "-w", "-t", "nat", "-X", chain);
  }
}
