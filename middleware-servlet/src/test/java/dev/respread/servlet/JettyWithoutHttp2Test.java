package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Jetty's HTTP/2 jars are optional: a Jetty 12 server that speaks HTTP/1.1 only, without them on
 * its class path, serves and recycles through the filter. Checked by running
 * {@link JettyHttp11Only} in a class loader that holds the whole test class path except
 * {@code jetty-http2-*}.
 */
class JettyWithoutHttp2Test {

  private static URLClassLoader withoutJettyHttp2(List<String> left) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (new File(entry).getName().startsWith("jetty-http2")) {
        left.add(entry);
      } else {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  @Test
  void http11OnlyJettyWithoutTheHttp2JarsServesAndRecyclesEveryRequest() throws Throwable {
    List<String> left = new ArrayList<>();
    try (URLClassLoader loader = withoutJettyHttp2(left)) {
      assertThat(left).as("jetty-http2 jars left out").isNotEmpty();
      assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.http2.HTTP2Connection", false,
          loader)).isInstanceOf(ClassNotFoundException.class);
      assertThat(Class.forName(JettyHttp11Only.class.getName(), false, loader).getClassLoader())
          .as("the server runs in the loader without HTTP/2").isSameAs(loader);

      try {
        Class.forName(JettyHttp11Only.class.getName(), true, loader)
            .getMethod("serveWhileRecycling").invoke(null);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
