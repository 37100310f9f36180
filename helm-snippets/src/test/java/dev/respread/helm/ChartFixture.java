package dev.respread.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The charts, copied side by side into a temporary folder so that
 * {@code helm dependency update} (which writes {@code charts/} and {@code Chart.lock}) never
 * touches the source tree, and helpers that render the example chart and read what it rendered.
 * The example comes twice: as shipped, with its {@code values.schema.json}, and without it, as a
 * chart that copied the values block but not the schema, where the templates' own checks are all
 * that stands between a bad value and the cluster.
 */
final class ChartFixture {
  static final Path SOURCE = Paths.get("").toAbsolutePath();
  static final String RELEASE = "web";
  static final String NAMESPACE = "shop";

  final Path root;
  final Path library;
  final Path example;
  final Path exampleWithoutSchema;
  final Path monitoring;

  private ChartFixture(Path root) {
    this.root = root;
    this.library = root.resolve("respread");
    this.example = root.resolve("example");
    this.exampleWithoutSchema = root.resolve("example-without-schema");
    this.monitoring = root.resolve("respread-monitoring");
  }

  /** Copies both charts under {@code dir} and builds the example's dependency on the library. */
  static ChartFixture create(Path dir) {
    copyTree(SOURCE.resolve("respread"), dir.resolve("respread"));
    copyTree(SOURCE.resolve("respread-monitoring"), dir.resolve("respread-monitoring"));
    ChartFixture fixture = new ChartFixture(dir);
    for (Path example : List.of(fixture.example, fixture.exampleWithoutSchema)) {
      copyTree(SOURCE.resolve("example"), example);
      deleteTree(example.resolve("charts"));
      try {
        Files.deleteIfExists(example.resolve("Chart.lock"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // file:// dependencies need no repository and no network; skipRefresh skips the index.
      new Helm(example).dependency().update().skipRefresh().call();
      assertThat(example.resolve("charts/respread-snippets-0.1.0.tgz")).exists();
    }
    try {
      Files.delete(fixture.exampleWithoutSchema.resolve("values.schema.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fixture;
  }

  /** Renders the example chart with {@code respread} set to {@code values}. */
  Rendered render(Map<String, Object> values) {
    return renderWith(Map.of("respread", values));
  }

  /** Renders the example chart with {@code values} as an extra values file. */
  Rendered renderWith(Map<String, Object> values) {
    return renderChart(example, values);
  }

  /**
   * Renders the example chart without its schema, with {@code respread} set to {@code values}:
   * only the templates check them.
   */
  Rendered renderWithoutSchema(Map<String, Object> values) {
    return renderChart(exampleWithoutSchema, Map.of("respread", values));
  }

  /** Renders {@code chart} with {@code values} as an extra values file. */
  Rendered renderChart(Path chart, Map<String, Object> values) {
    try {
      Path file = Files.createTempFile(root, "values-", ".yaml");
      Files.writeString(file, new Yaml().dump(values));
      String out = new Helm(chart).template()
          .withName(RELEASE)
          .withNamespace(NAMESPACE)
          .withValuesFile(file)
          .call();
      // helm-java hands back null, not "", when no template renders anything.
      return new Rendered(out == null ? "" : out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> readYaml(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.collect(Collectors.toList())) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .collect(Collectors.toList())) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code helm template} printed, parsed into one map per document. */
  static final class Rendered {
    final String text;
    final List<Map<String, Object>> docs = new ArrayList<>();

    @SuppressWarnings("unchecked")
    Rendered(String text) {
      this.text = text;
      for (Object doc : new Yaml().loadAll(text)) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
    }

    List<Map<String, Object>> ofKind(String kind) {
      return docs.stream().filter(d -> kind.equals(d.get("kind"))).collect(Collectors.toList());
    }

    Map<String, Object> one(String kind, String name) {
      List<Map<String, Object>> found = ofKind(kind).stream()
          .filter(d -> name.equals(map(d, "metadata").get("name")))
          .collect(Collectors.toList());
      assertThat(found).as("%s %s in:%n%s", kind, name, text).hasSize(1);
      return found.get(0);
    }

    Map<String, Object> deployment() {
      return one("Deployment", "web-respread-example");
    }

    Map<String, Object> podSpec(Map<String, Object> deployment) {
      return map(map(map(deployment, "spec"), "template"), "spec");
    }

    /** The env items of the first container of {@code deployment}. */
    List<Map<String, Object>> env(Map<String, Object> deployment) {
      Map<String, Object> container = list(podSpec(deployment), "containers").get(0);
      return list(container, "env");
    }

    /** The plain-valued env of the Deployment, name to value, in order. */
    Map<String, Object> envValues() {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map<String, Object> e : env(deployment())) {
        if (e.containsKey("value")) {
          out.put((String) e.get("name"), e.get("value"));
        }
      }
      return out;
    }

    List<String> envNames() {
      return env(deployment()).stream().map(e -> (String) e.get("name"))
          .collect(Collectors.toList());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> m, String key) {
    return (Map<String, Object>) Objects.requireNonNull(m.get(key), key);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) Objects.requireNonNull(m.get(key), key);
  }
}
