package dev.respread.netty;

/** The test servers' paths: {@code /sleep/N} answers after N ms, {@code /bytes/N} sends N bytes. */
final class Paths {
  private Paths() {}

  static long sleepMillis(CharSequence path) {
    return number(path, "/sleep/");
  }

  static int bytes(CharSequence path) {
    return (int) number(path, "/bytes/");
  }

  private static long number(CharSequence path, String prefix) {
    String p = path.toString();
    return p.startsWith(prefix) ? Long.parseLong(p.substring(prefix.length())) : 0;
  }
}
