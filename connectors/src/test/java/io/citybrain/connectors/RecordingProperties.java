package io.citybrain.connectors;

import java.util.Set;
import java.util.TreeSet;

/** Properties that remember every key a parser asked for, to hold a process's key set to it. */
public final class RecordingProperties extends java.util.Properties {
  private final Set<String> asked = new TreeSet<>();

  @Override
  public synchronized String getProperty(String key) {
    asked.add(key);
    return super.getProperty(key);
  }

  @Override
  public synchronized String getProperty(String key, String defaultValue) {
    asked.add(key);
    return super.getProperty(key, defaultValue);
  }

  /** The keys asked for so far. */
  public Set<String> asked() {
    return asked;
  }
}
