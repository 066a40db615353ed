package org.dunblock.server.config;

/** A configuration variable with a value the server cannot start with; the message names the variable. */
public final class ConfigException extends IllegalArgumentException {
  private final String variable;

  public ConfigException(String variable, String problem) {
    super(variable + " " + problem);
    this.variable = variable;
  }

  public String variable() {
    return variable;
  }
}
