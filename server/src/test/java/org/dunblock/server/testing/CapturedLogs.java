package org.dunblock.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every log line the server writes during a test (everything at INFO, Dunblock's own at DEBUG), instead of the
 * console: {@code @RegisterExtension final CapturedLogs logs = new CapturedLogs();}.
 */
public final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {
  private final ListAppender<ILoggingEvent> list = new ListAppender<>();
  private final List<Appender<ILoggingEvent>> detached = new ArrayList<>();
  private Level rootLevel;
  private Level ownLevel;

  private static LoggerContext context() {
    return (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  }

  @Override
  public void beforeEach(ExtensionContext extension) {
    Logger root = context().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger own = context().getLogger("org.dunblock");
    rootLevel = root.getLevel();
    ownLevel = own.getLevel();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      detached.add(it.next());
    }
    detached.forEach(root::detachAppender);
    list.setContext(context());
    list.start();
    root.addAppender(list);
    root.setLevel(Level.INFO);
    own.setLevel(Level.DEBUG);
  }

  @Override
  public void afterEach(ExtensionContext extension) {
    Logger root = context().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(list);
    list.stop();
    detached.forEach(root::addAppender);
    root.setLevel(rootLevel);
    context().getLogger("org.dunblock").setLevel(ownLevel);
  }

  /** Each line as it would be written: logger, message with its arguments, and any exception's messages. */
  public synchronized List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : new ArrayList<>(list.list)) {
      StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      lines.add(line.toString());
    }
    return lines;
  }
}
