package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A Tomcat (or any other container's) user needs neither Undertow nor Jetty on the class path:
 * the filter loads a container's classes only when that container runs it. Checked in a class
 * loader that holds respread, its dependencies and the servlet API, and nothing else.
 */
class WithoutUndertowOrJettyTest {

  private static URLClassLoader withoutContainers() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = new File(entry).getName();
      if (entry.endsWith("classes") && !entry.endsWith("test-classes")
          || name.startsWith("respread-core") || name.startsWith("jakarta.servlet-api")
          || name.startsWith("micrometer") || name.startsWith("HdrHistogram")
          || name.startsWith("LatencyUtils")) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  /** A proxy of {@code type} answering from {@code answers} by method name. */
  private static Object fake(ClassLoader loader, String type, Map<String, Object> answers)
      throws ClassNotFoundException {
    Class<?> c = Class.forName(type, false, loader);
    return Proxy.newProxyInstance(loader, new Class<?>[] {c}, (proxy, method, args) -> {
      if (answers.containsKey(method.getName())) {
        Object a = answers.get(method.getName());
        return a instanceof Answer ? ((Answer) a).answer(args) : a;
      }
      if (method.getName().equals("toString")) {
        return "fake " + type;
      }
      return method.getReturnType() == boolean.class ? false : null;
    });
  }

  interface Answer {
    Object answer(Object[] args) throws Exception;
  }

  @Test
  void filterRunsAndRecyclesHttp11WithNoUndertowOrJettyClasses() throws Exception {
    try (URLClassLoader loader = withoutContainers()) {
      assertThatThrownBy(() -> Class.forName("io.undertow.server.HttpHandler", false, loader))
          .isInstanceOf(ClassNotFoundException.class);
      assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.io.Connection", false, loader))
          .isInstanceOf(ClassNotFoundException.class);

      Class<?> configType = Class.forName("dev.respread.RecyclingConfig", true, loader);
      Object configBuilder = configType.getMethod("builder").invoke(null);
      Class<?> builderType = configBuilder.getClass();
      builderType.getMethod("maxRequestsPerConnection", long.class).invoke(configBuilder, 2L);
      builderType.getMethod("jitter", double.class).invoke(configBuilder, 0.0);
      Object config = builderType.getMethod("build").invoke(configBuilder);
      Class<?> recyclerType = Class.forName("dev.respread.ConnectionRecycler", true, loader);
      Object recyclerBuilder = recyclerType.getMethod("builder", configType).invoke(null, config);
      Object recycler = recyclerBuilder.getClass().getMethod("build").invoke(recyclerBuilder);
      Class<?> filterType = Class.forName("dev.respread.servlet.RecyclingServletFilter", true,
          loader);
      Object filter = filterType.getConstructor(recyclerType).newInstance(recycler);

      Object context = fake(loader, "jakarta.servlet.ServletContext",
          Map.of("getServerInfo", "Some Container/1.0"));
      Object filterConfig = fake(loader, "jakarta.servlet.FilterConfig",
          Map.of("getServletContext", context));
      filterType.getMethod("init", Class.forName("jakarta.servlet.FilterConfig", false, loader))
          .invoke(filter, filterConfig);

      Object servletConnection = fake(loader, "jakarta.servlet.ServletConnection",
          Map.of("getConnectionId", "connection-1"));
      Object request = fake(loader, "jakarta.servlet.http.HttpServletRequest",
          Map.of("getProtocol", "HTTP/1.1", "getServletConnection", servletConnection));
      Map<String, String> headers = new ConcurrentHashMap<>();
      Object response = fake(loader, "jakarta.servlet.http.HttpServletResponse",
          Map.of("setHeader", (Answer) args -> headers.put((String) args[0], (String) args[1])));
      int[] chained = new int[1];
      Object chain = fake(loader, "jakarta.servlet.FilterChain",
          Map.of("doFilter", (Answer) args -> chained[0]++));
      Method doFilter = filterType.getMethod("doFilter",
          Class.forName("jakarta.servlet.ServletRequest", false, loader),
          Class.forName("jakarta.servlet.ServletResponse", false, loader),
          Class.forName("jakarta.servlet.FilterChain", false, loader));

      doFilter.invoke(filter, request, response, chain);
      assertThat(headers).isEmpty();
      doFilter.invoke(filter, request, response, chain);

      assertThat(chained[0]).isEqualTo(2);
      assertThat(headers).containsEntry("Connection", "close");
      filterType.getMethod("destroy").invoke(filter);
      recyclerType.getMethod("close").invoke(recycler);
    }
  }
}
