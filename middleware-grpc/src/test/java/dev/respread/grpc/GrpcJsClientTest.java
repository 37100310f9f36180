package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An external client, {@code @grpc/grpc-js} on Node, against a recycling grpc-java server. The
 * build installs it with {@code npm ci} from {@code src/test/node}; the test fails, rather than
 * skips, when {@code node} or the package is missing.
 */
class GrpcJsClientTest {
  private static final Path CLIENT = Path.of("src", "test", "node", "client.js");
  private static final int CALLS = 600;

  private final Resources resources = new Resources();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  @Test
  void grpcJsClientSeesNoErrorsAcrossManyRecycles() throws Exception {
    RecyclingServer server = resources.add(RecyclingServer.start(ServerFlavour.GRPC_NETTY, "a",
        RecyclingServer.fastRecycling().build()));

    String result = runNode(String.valueOf(server.port()), String.valueOf(CALLS), "8");

    assertThat(field(result, "errors")).as("failed calls, in " + result).isZero();
    assertThat(field(result, "ok")).as("calls that succeeded").isEqualTo(CALLS);
    // 600 calls with a cap of about 5 calls per connection.
    assertThat(server.drained()).as("connections drained").isGreaterThanOrEqualTo(50);
    assertThat(server.opened()).as("connections the client opened").isGreaterThanOrEqualTo(50);
    assertThat(server.forced()).isZero();
  }

  /** Runs the client; returns its JSON line. */
  private static String runNode(String... args) throws Exception {
    assertThat(CLIENT).as("the grpc-js client").exists();
    assertThat(CLIENT.resolveSibling(Path.of("node_modules", "@grpc", "grpc-js")))
        .as("@grpc/grpc-js, installed by `npm ci` in src/test/node during the Maven build")
        .isDirectory();
    File out = Files.createTempFile("grpc-js-client", ".out").toFile();
    File err = Files.createTempFile("grpc-js-client", ".err").toFile();
    String[] command = new String[args.length + 2];
    command[0] = "node";
    command[1] = CLIENT.toString();
    System.arraycopy(args, 0, command, 2, args.length);
    Process node;
    try {
      node = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    } catch (IOException e) {
      throw new AssertionError("node is needed on the PATH for this test (Node 18 or later)", e);
    }
    try {
      assertThat(node.waitFor(3, TimeUnit.MINUTES)).as("client finished").isTrue();
      String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8).trim();
      String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8).trim();
      assertThat(node.exitValue()).as("exit code; stderr: " + stderr).isZero();
      return stdout;
    } finally {
      node.destroyForcibly();
      out.delete();
      err.delete();
    }
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertThat(m.find()).as("\"%s\" in %s", name, json).isTrue();
    return Long.parseLong(m.group(1));
  }
}
