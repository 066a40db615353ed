package org.dunblock.client;

/** What a reporter says about a number. Every category but {@link #LEGITIMATE} is a negative vote. */
public enum Category {
  /** A collector calling the borrower. */
  DEBT_COLLECTION,
  /** A collector calling someone in a borrower's address book. */
  CONTACT_HARASSMENT,
  THREAT,
  FRAUD,
  TELEMARKETING,
  /** One-ring, silent or bombing calls. */
  SILENT,
  /** A counter-vote: this number is fine. */
  LEGITIMATE
}
