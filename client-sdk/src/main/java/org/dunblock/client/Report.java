package org.dunblock.client;

import java.time.Instant;
import java.util.Objects;

/** A report about a number, built with {@link #builder(String, Category)}. Immutable. */
public final class Report {
  private final String number;
  private final Category category;
  private final String region;
  private final String platform;
  private final Instant occurredAt;
  private final String note;
  private final CallerVerification callerVerification;

  private Report(Builder b) {
    this.number = b.number;
    this.category = b.category;
    this.region = b.region;
    this.platform = b.platform;
    this.occurredAt = b.occurredAt;
    this.note = b.note;
    this.callerVerification = b.callerVerification;
  }

  public static Builder builder(String number, Category category) {
    return new Builder(number, category);
  }

  public String number() {
    return number;
  }

  public Category category() {
    return category;
  }

  /** Region in which a national number is read, or null for the client's default region. */
  public String region() {
    return region;
  }

  /** The lending app or platform the caller named, or null. */
  public String platform() {
    return platform;
  }

  /** When the call happened; the SDK sets "now" when the report is made if this is null. */
  public Instant occurredAt() {
    return occurredAt;
  }

  public String note() {
    return note;
  }

  /** How the phone network verified the caller's number, or null when the phone does not say. */
  public CallerVerification callerVerification() {
    return callerVerification;
  }

  /** Builder for {@link Report}. */
  public static final class Builder {
    private final String number;
    private final Category category;
    private String region;
    private String platform;
    private Instant occurredAt;
    private String note;
    private CallerVerification callerVerification;

    private Builder(String number, Category category) {
      this.number = Objects.requireNonNull(number, "number");
      this.category = Objects.requireNonNull(category, "category");
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder platform(String platform) {
      this.platform = platform;
      return this;
    }

    public Builder occurredAt(Instant occurredAt) {
      this.occurredAt = occurredAt;
      return this;
    }

    public Builder note(String note) {
      this.note = note;
      return this;
    }

    /** From {@code Call.Details#getCallerNumberVerificationStatus()}, e.g. via {@link CallerVerification#fromAndroidStatus}. */
    public Builder callerVerification(CallerVerification callerVerification) {
      this.callerVerification = callerVerification;
      return this;
    }

    public Report build() {
      return new Report(this);
    }
  }
}
