package dev.respread.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.project.Markdown.Link;
import org.junit.jupiter.api.Test;

/** How the link check reads Markdown: GitHub's anchors, and links outside code only. */
class MarkdownTest {

  @Test
  void anAnchorIsTheHeadingInLowerCaseWithSpacesAsHyphensAndPunctuationDropped() {
    assertThat(Markdown.slug("Netty (HTTP/1.1 and HTTP/2): `respread-netty`"))
        .isEqualTo("netty-http11-and-http2-respread-netty");
    assertThat(Markdown.slug("Cost: API calls per pod per minute"))
        .isEqualTo("cost-api-calls-per-pod-per-minute");
  }

  @Test
  void anAnchorKeepsUnderscoresAndHyphensAndDropsSymbols() {
    assertThat(Markdown.slug("Kubernetes view (`RESPREAD_LOAD_SOURCE=kubernetes`)"))
        .isEqualTo("kubernetes-view-respread_load_sourcekubernetes");
    assertThat(Markdown.slug("Simulated 2→4, max/mean ≤ 1.2")).isEqualTo("simulated-24-maxmean--12");
  }

  @Test
  void anAnchorUsesALinksTextAndNotItsTarget() {
    assertThat(Markdown.slug("See [the demo](docs/demo.md) ##")).isEqualTo("see-the-demo");
  }

  @Test
  void aRepeatedHeadingGetsANumberedAnchor() {
    Markdown page = Markdown.parse("## Caveats\ntext\n### Caveats\n## Caveats\n");

    assertThat(page.anchors()).containsExactlyInAnyOrder("caveats", "caveats-1", "caveats-2");
  }

  @Test
  void aHeadingInsideAFencedCodeBlockGetsNoAnchor() {
    Markdown page = Markdown.parse("# Title\n```yaml\n# Chart.yaml\nkey: value\n```\n");

    assertThat(page.anchors()).containsExactly("title");
  }

  @Test
  void anHtmlAnchorCountsAsAnAnchor() {
    assertThat(Markdown.parse("<a id=\"custom-place\"></a>\n").anchors())
        .containsExactly("custom-place");
  }

  @Test
  void linksAreFoundInTextTablesAndReferenceDefinitionsWithTheirLines() {
    Markdown page = Markdown.parse("""
        See [Design](docs/design.md#the-rules) and ![a picture](img/p.png "title").
        | a | [b](../README.md) |
        [label]: LICENSE
        """);

    assertThat(page.links()).containsExactly(
        new Link(1, "docs/design.md#the-rules"),
        new Link(1, "img/p.png"),
        new Link(2, "../README.md"),
        new Link(3, "LICENSE"));
  }

  @Test
  void linksInsideCodeSpansAndFencedBlocksAreNotLinks() {
    Markdown page = Markdown.parse("""
        `[not](a-link.md)` but [this](is.md)
        ~~~
        [nor](this.md)
        ~~~
        """);

    assertThat(page.links()).containsExactly(new Link(1, "is.md"));
  }
}
