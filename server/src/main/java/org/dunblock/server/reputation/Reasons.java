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
  /**
   * Address-book explosion: at least DUNBLOCK_FANOUT_MIN_REPORTERS distinct reporters on at least
   * DUNBLOCK_FANOUT_MIN_NETWORKS distinct networks reported CONTACT_HARASSMENT calls within the last
   * DUNBLOCK_FANOUT_WINDOW_MINUTES (default 3, 3, 24 h): one caller working through a borrower's contacts. At least WARN.
   */
  public static final String ADDRESS_BOOK_EXPLOSION = "ADDRESS_BOOK_EXPLOSION";
  /**
   * Call-bombing: at least DUNBLOCK_BOMBING_MIN_REPORTERS distinct reporters (on DUNBLOCK_BOMBING_MIN_NETWORKS
   * networks) reported SILENT calls within the last DUNBLOCK_BOMBING_WINDOW_MINUTES (default 3, 1, 1 h). At least WARN.
   */
  public static final String CALL_BOMBING = "CALL_BOMBING";
  /**
   * At least DUNBLOCK_RANGE_MIN_BLOCKED (default 4) other numbers of the number's block of 100 (same digits but the
   * last two) are BLOCK: collectors rotate through consecutive lines. At least WARN.
   */
  public static final String RANGE = "RANGE";
  /**
   * DESIGN.md rule 9: the crowd or the abuse patterns would have said more than the number's protection allows
   * (emergency numbers: ALLOW; other short service numbers and the register of verified callers: at most WARN), so
   * the verdict was capped. Operators see such numbers on the dashboard and in evidence packs.
   */
  public static final String PROTECTED_NUMBER = "PROTECTED_NUMBER";
  /** The store could not be asked in time; the answer fails open. */
  public static final String DEGRADED = "DEGRADED";

  private Reasons() {
  }
}
