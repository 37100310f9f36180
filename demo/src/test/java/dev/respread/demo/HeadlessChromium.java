package dev.respread.demo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Debian's {@code chromium} (installed by {@code .ci/run}), headless, opening a local page: its
 * DOM as the browser parsed it, or a screenshot of what it drew. Each call has a profile of its
 * own in a temporary directory that it deletes.
 */
final class HeadlessChromium {
  /** Far longer than a page of SVG takes; only a browser that hangs reaches it. */
  private static final Duration LIMIT = Duration.ofMinutes(2);

  private HeadlessChromium() {}

  /** The page's DOM, serialised after the browser has parsed it. */
  static String dumpDom(Path page) throws IOException, InterruptedException {
    return run(page, List.of("--dump-dom"), null);
  }

  /** What the browser drew in a window of {@code width} by {@code height} pixels. */
  static BufferedImage screenshot(Path page, int width, int height)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("respread-screenshot-");
    try {
      Path png = dir.resolve("page.png");
      run(page, List.of("--screenshot=" + png, "--window-size=" + width + "," + height), png);
      BufferedImage image = ImageIO.read(png.toFile());
      if (image == null) {
        throw new IOException("chromium wrote no readable PNG to " + png);
      }
      return image;
    } finally {
      Processes.delete(dir);
    }
  }

  private static String run(Path page, List<String> action, Path expected)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("respread-chromium-");
    try {
      Path stdout = profile.resolve("stdout");
      Path stderr = profile.resolve("stderr");
      List<String> command = new ArrayList<>(List.of("chromium", "--headless",
          // Root (as in CI) cannot start Chromium's sandbox; the page is our own local file.
          "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
          "--user-data-dir=" + profile.resolve("profile")));
      command.addAll(action);
      command.add(page.toUri().toString());
      Process chromium = new ProcessBuilder(command).redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile()).start();
      try {
        if (!chromium.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("chromium did not finish in " + LIMIT + ": "
              + Processes.tail(stderr, 2000));
        }
      } finally {
        // Its renderer and helper processes end with it; these are the ones it left, if any.
        chromium.descendants().forEach(ProcessHandle::destroyForcibly);
        chromium.destroyForcibly();
        chromium.waitFor();
      }
      if (chromium.exitValue() != 0 || (expected != null && !Files.exists(expected))) {
        throw new IOException("chromium exited with " + chromium.exitValue() + ": "
            + Processes.tail(stderr, 2000));
      }
      return Files.readString(stdout, StandardCharsets.UTF_8);
    } finally {
      Processes.delete(profile);
    }
  }
}
