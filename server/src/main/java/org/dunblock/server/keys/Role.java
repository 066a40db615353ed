package org.dunblock.server.keys;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do. An admin may do everything an operator may. */
public enum Role {
  OPERATOR,
  ADMIN;

  public boolean includes(Role required) {
    return this == ADMIN || this == required;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
