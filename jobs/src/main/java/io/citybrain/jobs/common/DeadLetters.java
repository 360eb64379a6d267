package io.citybrain.jobs.common;

import io.citybrain.contract.DeadLetter;
import org.apache.flink.util.OutputTag;

/** The side output every job sends refused records to, on their way to {@code city.deadletter}. */
public final class DeadLetters {
  private DeadLetters() {}

  public static final OutputTag<DeadLetter> TAG = new OutputTag<>("deadletter") {};
}
