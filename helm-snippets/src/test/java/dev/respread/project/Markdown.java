package dev.respread.project;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Markdown document that links depend on: the links it makes and the anchors its
 * headings get, both read as GitHub renders them. Fenced code blocks and code spans hold neither.
 */
final class Markdown {
  /** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
  private static final Pattern INLINE_LINK = Pattern.compile(
      "!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]"          // the text, one level of brackets inside
          + "\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)"); // (target "title")
  /** {@code [label]: target}, a link reference definition. */
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");
  /** An ATX heading: one to six {@code #}, a space, the text, optional closing {@code #}s. */
  private static final Pattern HEADING =
      Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?[ \\t]*$");
  private static final Pattern CLOSING_HASHES = Pattern.compile("(?:^|[ \\t]+)#+$");
  /** An explicit anchor in HTML: {@code <a id="x">} or {@code <a name="x">}. */
  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\s+[^>]*?(?:id|name)\\s*=\\s*\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern LINK_IN_HEADING = Pattern.compile("!?\\[([^\\]]*)\\]\\([^)]*\\)");
  private static final Pattern HTML_TAG = Pattern.compile("<[^>]+>");

  /** A link as written, with the 1-based line it is on. */
  record Link(int line, String target) {}

  private final List<Link> links;
  private final Set<String> anchors;

  private Markdown(List<Link> links, Set<String> anchors) {
    this.links = links;
    this.anchors = anchors;
  }

  static Markdown parse(String text) {
    List<Link> links = new ArrayList<>();
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    String fence = null;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String stripped = line.stripLeading();
      if (fence != null) {
        // A fence closes with at least as many of the same characters (CommonMark 4.5).
        String closing = stripped.strip();
        if (closing.startsWith(fence) && closing.chars().allMatch(c -> c == closing.charAt(0))) {
          fence = null;
        }
        continue;
      }
      if (line.length() - stripped.length() < 4
          && (stripped.startsWith("```") || stripped.startsWith("~~~"))) {
        int n = 0;
        while (n < stripped.length() && stripped.charAt(n) == stripped.charAt(0)) {
          n++;
        }
        fence = stripped.substring(0, n);
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String title = heading.group(2) == null ? "" : heading.group(2);
        anchors.add(unique(slug(title), seen));
      }
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) {
        anchors.add(html.group(1));
      }
      String outsideCode = CODE_SPAN.matcher(line).replaceAll("");
      Matcher link = INLINE_LINK.matcher(outsideCode);
      while (link.find()) {
        links.add(new Link(i + 1, link.group(1)));
      }
      Matcher definition = REFERENCE_DEFINITION.matcher(outsideCode);
      if (definition.matches()) {
        links.add(new Link(i + 1, definition.group(1)));
      }
    }
    return new Markdown(List.copyOf(links), Set.copyOf(anchors));
  }

  List<Link> links() {
    return links;
  }

  Set<String> anchors() {
    return anchors;
  }

  /**
   * The anchor GitHub gives a heading: the rendered text (code spans without their backticks,
   * links by their text, no HTML tags), lower case, every character that is not a letter, a
   * digit, a space, a hyphen or an underscore dropped, and each space turned into a hyphen.
   */
  static String slug(String heading) {
    String text = CLOSING_HASHES.matcher(heading.strip()).replaceAll("");
    text = CODE_SPAN.matcher(text).replaceAll("$2");
    text = LINK_IN_HEADING.matcher(text).replaceAll("$1");
    text = HTML_TAG.matcher(text).replaceAll("");
    StringBuilder slug = new StringBuilder();
    text.strip().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
      if (c == ' ') {
        slug.append('-');
      } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        slug.appendCodePoint(c);
      }
    });
    return slug.toString();
  }

  /** A repeated anchor gets {@code -1}, {@code -2}, ... in the order the headings appear. */
  private static String unique(String slug, Map<String, Integer> seen) {
    Integer count = seen.get(slug);
    seen.put(slug, count == null ? 1 : count + 1);
    return count == null ? slug : slug + "-" + count;
  }
}
