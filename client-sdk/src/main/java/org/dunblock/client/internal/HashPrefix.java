package org.dunblock.client.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The private lookup's arithmetic (server: {@code GET /v1/numbers/hash-prefix/{prefix}}): the SHA-256 of the E.164
 * string, the first {@value #DIGITS} hex digits (20 bits) sent, the full hash compared here.
 */
public final class HashPrefix {
  /** Hex digits sent: 20 bits, about 1500 of China's mobile numbers per prefix (the server takes 4 or 5). */
  public static final int DIGITS = 5;

  private HashPrefix() {
  }

  /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code e164}. */
  public static String sha256(String e164) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(e164.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(64);
      for (byte b : d) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM and of Android", e);
    }
  }

  /** A server answer for one prefix. */
  public static final class Answer {
    /** Full hash to the entry (a reputation without its number). */
    public final Map<String, JSONObject> entries;
    public final List<String> prefixOverrides;
    public final boolean degraded;

    Answer(Map<String, JSONObject> entries, List<String> prefixOverrides, boolean degraded) {
      this.entries = entries;
      this.prefixOverrides = prefixOverrides;
      this.degraded = degraded;
    }

    /** True when an operator's prefix override covers {@code e164}: only its own lookup answers it. */
    public boolean overridden(String e164) {
      for (String prefix : prefixOverrides) {
        if (e164.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }
  }

  public static Answer parse(JSONObject json) {
    Map<String, JSONObject> entries = new HashMap<>();
    JSONArray numbers = json.getJSONArray("numbers");
    for (int i = 0; i < numbers.length(); i++) {
      JSONObject entry = numbers.getJSONObject(i);
      entries.put(entry.getString("sha256"), entry);
    }
    List<String> prefixes = new ArrayList<>();
    JSONArray overrides = json.optJSONArray("prefixOverrides");
    for (int i = 0; overrides != null && i < overrides.length(); i++) {
      prefixes.add(overrides.getString(i));
    }
    return new Answer(entries, prefixes, json.optBoolean("degraded", false));
  }
}
