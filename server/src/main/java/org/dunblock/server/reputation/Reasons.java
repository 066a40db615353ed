package org.dunblock.server.reputation;

/** Reason codes that explain a verdict; listed in README and openapi.yaml. */
public final class Reasons {
  /** Enough negative crowd reports for WARN or BLOCK. */
  public static final String CROWD_REPORTS = "CROWD_REPORTS";
  /** The score reached BLOCK but too few distinct reporters or networks stand behind it, so only WARN. */
  public static final String QUORUM_NOT_MET = "QUORUM_NOT_MET";
  /** LEGITIMATE votes pulled the score down. */
  public static final String COUNTER_VOTES = "COUNTER_VOTES";
  /** An operator put the number on ALLOW or BLOCK; this beats the crowd. */
  public static final String OPERATOR_OVERRIDE = "OPERATOR_OVERRIDE";
  /** The store could not be asked in time; the answer fails open. */
  public static final String DEGRADED = "DEGRADED";

  private Reasons() {
  }
}
