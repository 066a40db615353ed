package org.dunblock.client;

/** What an app should do with a call. */
public enum Verdict {
  /** Let it ring. */
  ALLOW,
  /** Let it ring with a warning (reported, but not enough to block). */
  WARN,
  /** Reject it: enough distinct reporters on distinct networks. */
  BLOCK
}
