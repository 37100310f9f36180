package dev.respread.kubernetes.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Why a load view's refresh failed, as a bounded set: the value of the {@code cause} tag on
 * {@code respread.load.view.failures}.
 */
public enum FailureCause {
  /** Nothing listened, the name did not resolve, or the connection broke. */
  UNREACHABLE("unreachable"),
  /** No answer within the timeout. */
  TIMEOUT("timeout"),
  /** 401: no token, or a token the server rejects. */
  UNAUTHORIZED("unauthorized"),
  /** 403: the token is valid but RBAC does not allow the read. */
  FORBIDDEN("forbidden"),
  /** Another 4xx answer, typically a bad query or a missing API (metrics-server not installed). */
  CLIENT_ERROR("client_error"),
  /** A 5xx answer. */
  SERVER_ERROR("server_error"),
  /** An answer that could not be used: not JSON, not the expected shape, NaN or negative. */
  MALFORMED("malformed");

  private final String tagValue;

  FailureCause(String tagValue) {
    this.tagValue = tagValue;
  }

  public String tagValue() {
    return tagValue;
  }

  /** The cause for an HTTP status that is not 2xx. */
  public static FailureCause ofStatus(int status) {
    if (status == 401) {
      return UNAUTHORIZED;
    }
    if (status == 403) {
      return FORBIDDEN;
    }
    if (status == 408 || status == 504) {
      return TIMEOUT;
    }
    return status >= 500 ? SERVER_ERROR : CLIENT_ERROR;
  }

  /**
   * The cause of {@code t}: the first HTTP status found in its chain (as the Kubernetes client
   * reports one), else a timeout or I/O failure found in the chain, else {@link #MALFORMED}.
   *
   * @param status reads an HTTP status from one throwable of the chain, or returns 0
   */
  public static FailureCause of(Throwable t, java.util.function.ToIntFunction<Throwable> status) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      int code = status.applyAsInt(c);
      if (code > 0) {
        return ofStatus(code);
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      // Each HTTP stack has its own timeout type (java.net.http.HttpTimeoutException, Vert.x's
      // NoStackTraceTimeoutException, SocketTimeoutException), so match by name as a last resort.
      if (c instanceof TimeoutException || c instanceof InterruptedIOException
          || c.getClass().getSimpleName().contains("Timeout")) {
        return TIMEOUT;
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException || c instanceof UnknownHostException) {
        return UNREACHABLE;
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException && !(c instanceof com.fasterxml.jackson.core.JacksonException)) {
        return UNREACHABLE;
      }
    }
    return MALFORMED;
  }
}
