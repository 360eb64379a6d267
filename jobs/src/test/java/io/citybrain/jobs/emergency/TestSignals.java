package io.citybrain.jobs.emergency;

import io.citybrain.contract.Envelope;
import io.citybrain.contract.Reading;
import java.util.Optional;

/** The signal of an envelope built by hand, typed as the job types it. */
public final class TestSignals {
  private TestSignals() {}

  /**
   * @throws IllegalArgumentException naming a field that is missing or of the wrong type
   */
  public static Optional<Signal> from(Envelope e, Place place) {
    return Signals.from(e, Reading.of(e).orElse(null), place);
  }
}
