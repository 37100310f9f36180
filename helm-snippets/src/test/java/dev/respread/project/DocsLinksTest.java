package dev.respread.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.project.Markdown.Link;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the README, BENCHMARKS.md and docs/ reaches a file of the repository,
 * and every anchor names a heading of its target, as GitHub renders them. Links with a scheme
 * (https:, mailto:) leave the repository and are not followed: the build has no network.
 */
class DocsLinksTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** README.md, BENCHMARKS.md and every page under docs/. */
  static List<Path> documents() {
    List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md"),
        ROOT.resolve("BENCHMARKS.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  @Test
  void everyRelativeLinkReachesAFileOfTheRepository() {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path document : documents()) {
      for (Link link : Markdown.parse(read(document)).links()) {
        String path = pathOf(link.target());
        if (isExternal(link.target()) || path.isEmpty()) {
          continue;
        }
        checked++;
        Path target = document.getParent().resolve(path).normalize();
        if (!target.startsWith(ROOT) || !Files.exists(target)) {
          broken.add(where(document, link) + ": no file " + ROOT.relativize(target));
        }
      }
    }

    assertThat(checked).as("relative links found").isPositive();
    assertThat(broken).as("links to files that do not exist").isEmpty();
  }

  @Test
  void everyAnchorNamesAHeadingOfItsTarget() {
    Map<Path, Markdown> parsed = new LinkedHashMap<>();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path document : documents()) {
      for (Link link : parsed.computeIfAbsent(document, d -> Markdown.parse(read(d))).links()) {
        int hash = link.target().indexOf('#');
        if (isExternal(link.target()) || hash < 0) {
          continue;
        }
        checked++;
        String path = pathOf(link.target());
        Path target = path.isEmpty() ? document : document.getParent().resolve(path).normalize();
        String anchor = decode(link.target().substring(hash + 1));
        if (!target.toString().endsWith(".md") || !Files.isRegularFile(target)) {
          broken.add(where(document, link) + ": #" + anchor + " in a file that is not a page");
          continue;
        }
        Markdown page = parsed.computeIfAbsent(target, t -> Markdown.parse(read(t)));
        if (!page.anchors().contains(anchor)) {
          broken.add(where(document, link) + ": no heading #" + anchor + " in "
              + ROOT.relativize(target));
        }
      }
    }

    assertThat(checked).as("links with an anchor found").isPositive();
    assertThat(broken).as("anchors that name no heading").isEmpty();
  }

  private static boolean isExternal(String target) {
    return target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || target.startsWith("//");
  }

  /** The target without its anchor, percent-decoded. */
  private static String pathOf(String target) {
    int hash = target.indexOf('#');
    return decode(hash < 0 ? target : target.substring(0, hash));
  }

  private static String decode(String s) {
    return s.isEmpty() ? s : URI.create("x:" + s.replace(" ", "%20")).getSchemeSpecificPart();
  }

  private static String where(Path document, Link link) {
    return ROOT.relativize(document) + ":" + link.line() + " (" + link.target() + ")";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
