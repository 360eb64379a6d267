package io.citybrain.jobs.common;

import io.citybrain.contract.Reason;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.Layer;
import io.citybrain.geo.LayerFile;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places events in a city whose communities or zones an operator may replace while the job runs.
 * The first input is the job's events (records of Kafka, or the traffic job's decoded fixes), the
 * second the {@code city.geography} records broadcast to every task ({@link GeographyUpdates}).
 *
 * <p>Each task holds the city in force: the job's city ({@link CitySource}) until a layer arrives,
 * then that city with the layer replaced ({@link CityModel#with}). A layer is checked and its index
 * built on the task thread between two events, and then swapped in: every event is placed with the
 * old or the new geography, none waits in a buffer, none is lost. A layer that fails the checks is
 * not applied: it goes to the dead-letter topic with reason {@code bad-geography} (once, from the
 * first task) and the previous geography stays; so does a record whose key is not a layer. Every
 * task decides on the same bytes with the same code, so all tasks hold the same geography once they
 * have read the same records.
 *
 * <p>The applied layers are kept in broadcast state, which checkpoints and savepoints include;
 * after a restore the city is rebuilt from that state on the first record, without republishing.
 */
public abstract class LiveGeography<IN, OUT> extends BroadcastProcessFunction<IN, KafkaEvent, OUT> {

  private static final Logger LOG = LoggerFactory.getLogger(LiveGeography.class);

  /** A refused layer's dead letter keeps this much of it: the whole layer is in city.geography. */
  static final int DEAD_LETTER_PAYLOAD_BYTES = 64 * 1024;

  private final CitySource source;
  private final String stage;
  private final Layer[] layers;
  private transient boolean restored;
  private transient Counter applied;
  private transient Counter refused;

  /** {@code layers}: the layers this job uses; records of the other layer are ignored. */
  protected LiveGeography(CitySource source, String stage, Layer... layers) {
    this.source = source;
    this.stage = stage;
    this.layers = layers.clone();
  }

  /** Called on the task thread, before the next event, whenever the city in force changes. */
  protected abstract void use(CityModel city);

  /** Processes one event with the city in force. */
  protected abstract void process(IN event, ReadOnlyContext ctx, Collector<OUT> out)
      throws Exception;

  @Override
  public void open(OpenContext context) throws Exception {
    applied = getRuntimeContext().getMetricGroup().counter("geographyLayersApplied");
    refused = getRuntimeContext().getMetricGroup().counter("geographyLayersRefused");
    use(source.city());
  }

  @Override
  public final void processElement(IN event, ReadOnlyContext ctx, Collector<OUT> out)
      throws Exception {
    restoreOnce(ctx.getBroadcastState(GeographyUpdates.STATE));
    process(event, ctx, out);
  }

  @Override
  public final void processBroadcastElement(KafkaEvent update, Context ctx, Collector<OUT> out)
      throws Exception {
    var state = ctx.getBroadcastState(GeographyUpdates.STATE);
    restoreOnce(state);
    try {
      long t0 = System.nanoTime();
      Layer layer = Layer.of(update.key());
      if (!java.util.Arrays.asList(layers).contains(layer)) {
        return;
      }
      LayerFile file = LayerFile.read(layer, update.value(), label(layer));
      Map<Layer, byte[]> others = layers(state);
      others.remove(layer);
      CityModel city = city(others).with(file);
      state.put(layer.wireName(), update.value());
      use(city);
      applied.inc();
      LOG.info(
          "{}: {} layer version {} in force ({} features, {} bytes, checked and indexed in {} ms)",
          stage,
          layer,
          file.version() == null ? "(none)" : file.version(),
          file.communities().size() + file.zones().size(),
          update.value().length,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (IllegalArgumentException e) {
      refused.inc();
      if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() != 0) {
        // Every task refuses the same bytes for the same reason: one dead letter per record, from
        // the first.
        return;
      }
      LOG.warn(
          "{}: refused a city.geography record, keeping the geography in force: {}",
          stage,
          e.getMessage());
      KafkaEvent kept =
          update.value().length <= DEAD_LETTER_PAYLOAD_BYTES
              ? update
              : new KafkaEvent(
                  update.topic(),
                  update.key(),
                  Arrays.copyOf(update.value(), DEAD_LETTER_PAYLOAD_BYTES),
                  update.timestamp());
      String detail =
          e.getMessage()
              + (kept == update
                  ? ""
                  : " (payload cut to its first " + DEAD_LETTER_PAYLOAD_BYTES + " bytes)");
      ctx.output(
          DeadLetters.TAG,
          new Rejected(Reason.BAD_GEOGRAPHY, detail)
              .toDeadLetter(kept, System.currentTimeMillis(), stage));
    }
  }

  /**
   * After a restore, the first record (of either input) rebuilds the city from the broadcast state.
   */
  private void restoreOnce(ReadOnlyBroadcastState<String, byte[]> state) throws Exception {
    if (restored) {
      return;
    }
    restored = true;
    Map<Layer, byte[]> layers = layers(state);
    if (!layers.isEmpty()) {
      use(city(layers));
      LOG.info("{}: restored layers {} from state", stage, layers.keySet());
    }
  }

  private static Map<Layer, byte[]> layers(ReadOnlyBroadcastState<String, byte[]> state)
      throws Exception {
    Map<Layer, byte[]> layers = new java.util.EnumMap<>(Layer.class);
    for (Map.Entry<String, byte[]> e : state.immutableEntries()) {
      layers.put(Layer.of(e.getKey()), e.getValue());
    }
    return layers;
  }

  /** The job's city with every given layer replaced, in the enum's order. */
  private CityModel city(Map<Layer, byte[]> layers) {
    CityModel city = source.city();
    for (Map.Entry<Layer, byte[]> e : layers.entrySet()) {
      city = city.with(LayerFile.read(e.getKey(), e.getValue(), label(e.getKey())));
    }
    return city;
  }

  private static String label(Layer layer) {
    return "city.geography " + layer;
  }
}
