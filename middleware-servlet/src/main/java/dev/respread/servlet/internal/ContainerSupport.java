package dev.respread.servlet.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** How the filter counts requests and drains connections on one servlet container. */
public interface ContainerSupport {

  /** Counts the request on its connection around {@code chain}. */
  void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException;

  /** Releases what the support holds; connections stay open. */
  default void close() {
  }
}
