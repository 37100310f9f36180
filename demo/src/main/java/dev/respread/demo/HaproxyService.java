package dev.respread.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * An L7 proxy in front of the pods, as a service mesh or an ingress puts one: a real HAProxy
 * (Debian's {@code haproxy}) speaking HTTP/2 without TLS on both sides, which balances every
 * request ({@code balance roundrobin}) across the pods over connections of its own, so that a
 * client's one connection reaches every pod. Clients dial the proxy instead of the Service.
 *
 * <p>Pods join through HAProxy's runtime API on its admin socket ({@code add server}, then
 * {@code enable server}: a server added at run time starts in maintenance), as a controller that
 * watches the Service's endpoints does it. The proxy's CPU time is read from
 * {@code /proc/<pid>/stat}.
 */
final class HaproxyService implements ServiceBalancer {
  private static final String BACKEND = "pods";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
  /** The longest admin socket path HAProxy 2.6 accepts. */
  private static final int MAX_SOCKET_PATH = 97;

  private final InetSocketAddress address;
  private final Path dir;
  private final Path socket;
  private final Path log;
  private final Process process;
  /** The process's id in the namespace that {@code /proc} shows; empty if it cannot be found. */
  private final OptionalLong procPid;
  private final List<InetSocketAddress> servers = new ArrayList<>();
  private double cpuSecondsAtClose = Double.NaN;

  /**
   * Starts HAProxy listening on {@code address}, or on a free loopback port when it is null, with
   * no pods yet, and waits until its admin socket answers.
   */
  HaproxyService(InetSocketAddress address) throws IOException, InterruptedException {
    this.address = address != null ? address : new InetSocketAddress("127.0.0.1", freePort());
    this.dir = directory();
    this.socket = dir.resolve("admin.sock");
    this.log = dir.resolve("haproxy.log");
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, config(this.address, socket));
    try {
      // -db: in the foreground, no daemon, so that this JVM owns the process.
      this.process = new ProcessBuilder("haproxy", "-db", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      Processes.delete(dir);
      throw new IOException("cannot start haproxy (Debian package haproxy): " + e.getMessage(), e);
    }
    try {
      awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
    this.procPid = procPid(process);
  }

  /**
   * Fails unless {@code haproxy} runs here, so that a demo with the {@code l7-proxy} mode stops
   * before its first mode rather than after the others.
   */
  static void checkInstalled() throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("haproxy", "-v").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("the l7-proxy mode needs HAProxy (apt-get install haproxy), or "
          + "leave it out of --modes: " + e.getMessage(), e);
    }
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException("haproxy -v exited with " + p.exitValue());
    }
  }

  /** The configuration: h2c in, h2c out, a request at a time to the next pod. */
  static String config(InetSocketAddress address, Path socket) {
    return String.join("\n",
        "global",
        "  stats socket " + socket + " mode 600 level admin",
        "  maxconn 4096",
        "defaults",
        "  mode http",
        "  timeout connect 5s",
        "  timeout client 1m",
        "  timeout server 1m",
        "frontend service",
        "  bind " + address.getAddress().getHostAddress() + ':' + address.getPort() + " proto h2",
        "  default_backend " + BACKEND,
        "backend " + BACKEND,
        "  balance roundrobin",
        "");
  }

  /**
   * A directory for the configuration, the log and the admin socket: in the demo's work
   * directory, deleted even if the demo is killed, unless the socket's path would be longer than
   * HAProxy takes (97 bytes, of a {@code sun_path} of 108); then under {@code /tmp}.
   */
  private static Path directory() throws IOException {
    String workDir = System.getenv(NetnsLauncher.WORK_DIR_VARIABLE);
    Path base = Path.of(workDir == null ? System.getProperty("java.io.tmpdir") : workDir);
    // "haproxy-" + up to 20 digits + "/admin.sock"
    if (base.toAbsolutePath().toString().length() + 40 > MAX_SOCKET_PATH) {
      base = Path.of("/tmp");
    }
    return Files.createTempDirectory(base, "haproxy-");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("haproxy exited with " + process.exitValue() + ": "
            + Processes.tail(log, 2000));
      }
      if (Files.exists(socket)) {
        try {
          command("show info");
          return;
        } catch (IOException notYet) {
          // The socket file exists a moment before HAProxy accepts on it.
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("haproxy's admin socket did not answer within " + READY_TIMEOUT
            + ": " + Processes.tail(log, 2000));
      }
      Thread.sleep(20);
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  /** Adds the endpoints HAProxy does not have yet, in order; endpoints never leave here. */
  @Override
  public void endpoints(List<InetSocketAddress> ready) {
    try {
      for (InetSocketAddress e : ready) {
        if (servers.contains(e)) {
          continue;
        }
        servers.add(e);
        String server = BACKEND + "/pod-" + servers.size();
        expect(command("add server " + server + ' ' + e.getAddress().getHostAddress() + ':'
            + e.getPort() + " proto h2"), "New server registered.");
        expect(command("enable server " + server), "");
      }
    } catch (IOException e) {
      throw new IllegalStateException("haproxy's runtime API failed", e);
    }
  }

  private static void expect(String answer, String expected) throws IOException {
    if (!answer.trim().equals(expected)) {
      throw new IOException("haproxy answered \"" + answer.trim() + "\" (expected: \""
          + expected + "\")");
    }
  }

  /** Sends one command to the admin socket and returns the answer, read until HAProxy closes. */
  String command(String command) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer out = ByteBuffer.wrap((command + '\n').getBytes(StandardCharsets.US_ASCII));
      while (out.hasRemaining()) {
        channel.write(out);
      }
      StringBuilder answer = new StringBuilder();
      ByteBuffer in = ByteBuffer.allocate(8192);
      while (channel.read(in) >= 0) {
        in.flip();
        answer.append(StandardCharsets.UTF_8.decode(in));
        in.clear();
      }
      return answer.toString();
    }
  }

  /** User and system CPU seconds of the HAProxy process so far, from {@code /proc}. */
  @Override
  public double cpuSeconds() {
    if (!process.isAlive()) {
      return cpuSecondsAtClose;
    }
    // Null while the constructor still runs.
    return procPid != null && procPid.isPresent() ? cpuSeconds(procPid.getAsLong()) : Double.NaN;
  }

  /**
   * The {@code /proc} id of {@code child}. The demo may run in a PID namespace of its own whose
   * {@code /proc} is the host's ({@link NetnsLauncher}), where {@link Process#pid()} names
   * another process: the child is then the HAProxy whose parent is this JVM as {@code /proc}
   * sees it ({@code /proc/self}).
   */
  private static OptionalLong procPid(Process child) throws IOException {
    long self = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
    if (self == ProcessHandle.current().pid()) {
      return OptionalLong.of(child.pid());
    }
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      return entries
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> isHaproxyChildOf(p, self))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
          .findFirst();
    }
  }

  private static boolean isHaproxyChildOf(Path proc, long parent) {
    try {
      String[] stat = statFields(Files.readString(proc.resolve("stat")));
      return stat[0].equals("(haproxy)") && Long.parseLong(stat[2]) == parent;
    } catch (IOException | RuntimeException gone) {
      return false;
    }
  }

  /** The fields of {@code /proc/<pid>/stat}, from field 2 (the command, in parentheses) on. */
  private static String[] statFields(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    List<String> fields = new ArrayList<>();
    fields.add(stat.substring(open, close + 1));
    fields.addAll(List.of(stat.substring(close + 2).trim().split(" ")));
    return fields.toArray(new String[0]);
  }

  /** utime + stime (fields 14 and 15 of {@code proc(5)}), in clock ticks of 1/100 s. */
  static double cpuSeconds(long pid) {
    try {
      String[] stat = statFields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
      // stat[0] is field 2, so field n is stat[n - 2]. USER_HZ is 100 on every Linux ABI.
      return (Long.parseLong(stat[12]) + Long.parseLong(stat[13])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      cpuSecondsAtClose = cpuSeconds();
    }
    if (process != null) {
      Processes.stop(process, Duration.ofSeconds(5));
    }
    Processes.delete(dir);
  }
}
