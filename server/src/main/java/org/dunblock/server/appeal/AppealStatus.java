package org.dunblock.server.appeal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where an appeal stands: waiting for an operator, or decided one way or the other. */
public enum AppealStatus {
  PENDING,
  ALLOWED,
  REJECTED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AppealStatus> parse(String text) {
    return Arrays.stream(values()).filter(s -> s.wire().equals(text)).findFirst();
  }
}
