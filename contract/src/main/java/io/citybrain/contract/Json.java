package io.citybrain.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson configuration of the wire formats: strict on input, stable on output. */
public final class Json {
  private Json() {}

  /**
   * Thread-safe once configured. Duplicate keys are refused (a device saying two things at once is
   * an error, not "the last one wins"); NaN and Infinity are not JSON and are refused too; so is
   * anything after the first value, and nesting deeper than 32 levels.
   */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Every reading carries decimal coordinates: the JDK's parser (FloatingDecimal) was a
          // quarter of the traffic job's decode task (issue 22). Jackson's bundled FastDoubleParser
          // rounds exactly as the JDK does, so every value is the same double.
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
  }
}
