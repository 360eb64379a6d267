package io.citybrain.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every word the page asks for is in both languages (issue 20): a key missing from {@code i18n.js}
 * shows as "null" on an operator's screen, which is how the history panel's first version read.
 */
class ConsoleWordsTest {

  private static final Pattern TOKEN =
      Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|[A-Za-z_][A-Za-z0-9_]*|[:,{}]");

  @Test
  void bothLanguagesHaveTheSameWordsAndEveryWordThePageUses() throws IOException {
    String i18n = resource("i18n.js");
    Set<String> en = keys(i18n.substring(i18n.indexOf("en: {"), i18n.indexOf("zh: {")));
    Set<String> zh = keys(i18n.substring(i18n.indexOf("zh: {")));
    assertThat(en).hasSizeGreaterThan(50);
    assertThat(zh).as("Chinese has every English word").containsAll(en);
    assertThat(en).as("English has every Chinese word").containsAll(zh);

    Set<String> used = new TreeSet<>();
    Matcher t = Pattern.compile("\\bt\\('([^']+)'\\s*[,)]").matcher(resource("console.js"));
    while (t.find()) {
      used.add(t.group(1));
    }
    Matcher html =
        Pattern.compile("data-i18n(?:-placeholder)?=\"([^\"]+)\"").matcher(resource("index.html"));
    while (html.find()) {
      used.add(html.group(1));
    }
    for (String family :
        List.of(
            "action.acknowledged",
            "action.resolved",
            "action.assigned",
            "action.commented",
            "action.none",
            "role.operator",
            "role.officer",
            "role.manager")) {
      used.add(family); // asked for by a key built at run time
    }
    assertThat(used).hasSizeGreaterThan(40);
    assertThat(en).as("words the page asks for").containsAll(used);
  }

  /**
   * The property names of an object literal's text: a name or a quoted string right after '{' or
   * ',' and before ':'.
   */
  private static Set<String> keys(String block) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(block.substring(block.indexOf('{')));
    while (m.find()) {
      tokens.add(m.group());
    }
    Set<String> keys = new TreeSet<>();
    int depth = 0;
    for (int i = 0; i < tokens.size(); i++) {
      String tok = tokens.get(i);
      if (tok.equals("{")) {
        depth++;
      } else if (tok.equals("}")) {
        if (--depth == 0) {
          break;
        }
      } else if (depth == 1
          && i > 0
          && i + 1 < tokens.size()
          && tokens.get(i + 1).equals(":")
          && (tokens.get(i - 1).equals("{") || tokens.get(i - 1).equals(","))) {
        keys.add(tok.startsWith("'") ? tok.substring(1, tok.length() - 1) : tok);
      }
    }
    return keys;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleWordsTest.class.getResourceAsStream("/console/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
