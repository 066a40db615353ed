package org.dunblock.server.reputation;

import java.util.Arrays;
import java.util.Optional;

/** What a reporter says about a number. Every category but LEGITIMATE is a negative vote. */
public enum Category {
  DEBT_COLLECTION,
  CONTACT_HARASSMENT,
  THREAT,
  FRAUD,
  TELEMARKETING,
  SILENT,
  LEGITIMATE;

  public boolean negative() {
    return this != LEGITIMATE;
  }

  public static Optional<Category> parse(String text) {
    return Arrays.stream(values()).filter(c -> c.name().equals(text)).findFirst();
  }
}
