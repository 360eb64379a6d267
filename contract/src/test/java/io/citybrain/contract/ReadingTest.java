package io.citybrain.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The typed readings and the device kinds are one vocabulary: same kinds, same fields, same types.
 */
class ReadingTest {

  @Test
  void everyDeviceKindReadsIntoARecordOfItsFieldsByName() {
    for (DeviceKind kind : DeviceKind.all()) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (DeviceKind.Field f : kind.fields()) {
        values.put(
            f.name(),
            switch (f.type()) {
              case NUMBER -> f.max();
              case BOOLEAN -> true;
              case STRING -> "x-" + f.name();
            });
      }
      Reading r =
          Reading.of(envelope(kind.domain(), kind.kind(), values))
              .orElseThrow(() -> new AssertionError(kind.domain() + "/" + kind.kind()));
      RecordComponent[] components = r.getClass().getRecordComponents();
      assertThat(Arrays.stream(components).map(RecordComponent::getName))
          .as("%s/%s", kind.domain(), kind.kind())
          .containsExactlyInAnyOrderElementsOf(
              kind.fields().stream().map(DeviceKind.Field::name).toList());
      for (RecordComponent c : components) {
        Object value;
        try {
          value = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
        assertThat(value)
            .as("%s of %s", c.getName(), kind.kind())
            .isEqualTo(values.get(c.getName()));
      }
    }
  }

  @Test
  void aKindOutsideTheContractHasNoReading() {
    assertThat(Reading.of(envelope("traffic", "bus", Map.of("speedKmh", 30)))).isEmpty();
  }

  @Test
  void aMissingOrMistypedFieldIsNamed() {
    assertThatThrownBy(() -> Reading.of(envelope("emergency", "flood", Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'depthCm' is not a number");
    assertThatThrownBy(() -> Reading.of(envelope("emergency", "sos", Map.of("pressed", "yes"))))
        .hasMessageContaining("'pressed' is not true or false");
    assertThatThrownBy(
            () ->
                Reading.of(
                    envelope(
                        "community",
                        "ticket",
                        Map.of("ticketId", 7, "category", "road", "status", "opened"))))
        .hasMessageContaining("'ticketId' is not a string");
    // The one optional field: a smoke detector may leave its building to the registry.
    assertThat(Reading.of(envelope("emergency", "smoke", Map.of("alarm", true))))
        .contains(new Reading.Smoke(true, null));
  }

  private static Envelope envelope(String domain, String kind, Map<String, Object> values) {
    return new Envelope("d-1", domain, kind, 1L, 30.25, 120.14, values, 2L, "mqtt");
  }
}
