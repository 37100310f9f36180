/**
 * respread for servlet containers: {@link dev.respread.servlet.RecyclingServletFilter} for
 * Undertow, Jetty 12, Tomcat 10.1 and any servlet 6 container, and
 * {@link dev.respread.servlet.RecyclingUndertowHandler} for Undertow without servlets.
 */
package dev.respread.servlet;
