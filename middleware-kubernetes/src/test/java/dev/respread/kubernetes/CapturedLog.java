package dev.respread.kubernetes;

import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the views log at WARNING or above while open. {@code System.Logger} goes to
 * java.util.logging here: there is no platform-logging bridge on the test class path.
 */
final class CapturedLog implements AutoCloseable {
  private final Logger logger = Logger.getLogger("dev.respread.kubernetes");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(MessageFormat.format(r.getMessage(), r.getParameters()));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  CapturedLog() {
    logger.addHandler(handler);
  }

  /** The warnings logged so far, formatted. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
