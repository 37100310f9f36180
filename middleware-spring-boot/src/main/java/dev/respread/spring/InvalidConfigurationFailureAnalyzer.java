package dev.respread.spring;

import dev.respread.InvalidConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows respread's one-message configuration error on its own when start-up fails, instead of
 * at the bottom of a bean creation stack trace.
 */
final class InvalidConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Correct the respread.* properties (or the RESPREAD_* environment variables) above.",
        cause);
  }
}
