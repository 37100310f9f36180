package dev.respread.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * respread-bom manages exactly the artifacts that are published: every module of the build that
 * does not set {@code maven.deploy.skip}. A new library module left out of the BOM, or an
 * application module published by mistake, fails here.
 */
class BomTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  record Module(String artifactId, String packaging, boolean published) {}

  @Test
  void theBomManagesEveryPublishedLibraryArtifactAndNothingElse() throws Exception {
    List<String> libraries = modules().stream()
        .filter(m -> m.published() && !m.packaging().equals("pom"))
        .map(Module::artifactId)
        .toList();
    Element bom = pom(ROOT.resolve("respread-bom/pom.xml"));
    Element management = child(bom, "dependencyManagement");
    List<String> managed = new ArrayList<>();
    for (Element dependency : children(child(management, "dependencies"), "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.respread");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      managed.add(text(dependency, "artifactId"));
    }

    assertThat(libraries).as("published library modules").isNotEmpty();
    assertThat(managed).containsExactlyInAnyOrderElementsOf(libraries);
  }

  @Test
  void theReleaseProfileLeavesOutOfTheBundleExactlyTheModulesThatAreNotPublished()
      throws Exception {
    List<String> unpublished = modules().stream()
        .filter(m -> !m.published())
        .map(Module::artifactId)
        .toList();
    Element bom = pom(ROOT.resolve("respread-bom/pom.xml"));
    List<String> excluded = new ArrayList<>();
    for (Element profile : children(child(bom, "profiles"), "profile")) {
      if (text(profile, "id").equals("release")) {
        for (Element plugin : children(child(child(profile, "build"), "plugins"), "plugin")) {
          if (text(plugin, "artifactId").equals("central-publishing-maven-plugin")) {
            Element artifacts = child(child(plugin, "configuration"), "excludeArtifacts");
            for (Element artifact : children(artifacts, null)) {
              excluded.add(artifact.getTextContent().strip());
            }
          }
        }
      }
    }

    assertThat(unpublished).as("modules that set maven.deploy.skip").isNotEmpty();
    assertThat(excluded).containsExactlyInAnyOrderElementsOf(unpublished);
  }

  /** Every module of the root pom, with whether it is published. */
  private static List<Module> modules() throws Exception {
    List<Module> modules = new ArrayList<>();
    for (Element module : children(child(pom(ROOT.resolve("pom.xml")), "modules"), "module")) {
      Element pom = pom(ROOT.resolve(module.getTextContent().strip()).resolve("pom.xml"));
      Element properties = child(pom, "properties");
      boolean skipped = properties != null
          && "true".equals(text(properties, "maven.deploy.skip"));
      String packaging = text(pom, "packaging");
      modules.add(new Module(text(pom, "artifactId"), packaging == null ? "jar" : packaging,
          !skipped));
    }
    return modules;
  }

  private static Element pom(Path file) throws Exception {
    Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(file.toFile());
    return document.getDocumentElement();
  }

  /** The direct child elements of {@code parent} named {@code name} (any name when null). */
  private static List<Element> children(Element parent, String name) {
    List<Element> children = new ArrayList<>();
    if (parent == null) {
      return children;
    }
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element e && (name == null || e.getTagName().equals(name))) {
        children.add(e);
      }
    }
    return children;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().strip();
  }
}
