package org.dunblock.server.reputation;

/** What a call-blocking app should do with a call from a number. */
public enum Verdict {
  ALLOW,
  WARN,
  BLOCK
}
