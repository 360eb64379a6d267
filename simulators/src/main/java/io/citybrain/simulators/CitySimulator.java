package io.citybrain.simulators;

import io.citybrain.geo.District;
import io.citybrain.geo.DistrictIndex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small living city: loop detectors and probe vehicles spread over the urban districts, and now
 * and then an SOS press. Publishes contract-v1 readings (QoS 1) every {@code tickMillis}, stamped
 * with the wall clock. Devices are placed deterministically from the seed.
 */
public final class CitySimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CitySimulator.class);

  /** The urban districts of Hangzhou, where the simulated traffic runs. */
  public static final List<String> URBAN_DISTRICTS =
      List.of("330102", "330103", "330104", "330105", "330106", "330108", "330109", "330110");

  /**
   * @param sosPerHour expected SOS presses per hour across the fleet
   */
  public record Settings(String mqttUrl, long seed, int loops, int probes, long tickMillis, double sosPerHour) {
    public Settings {
      if (loops < 0 || probes < 0) {
        throw new IllegalArgumentException("sim.loops and sim.probes must not be negative");
      }
      if (tickMillis < 100) {
        throw new IllegalArgumentException("sim.tick must be at least 100 ms, got " + tickMillis);
      }
    }

    public static Settings local(String mqttUrl) {
      return new Settings(mqttUrl, 42L, 200, 300, 5_000, 6.0);
    }
  }

  private final Settings settings;
  private final MqttAsyncClient client;
  private final List<SimulatedDevice> devices = new ArrayList<>();
  private final Random random;
  private final DistrictIndex districts;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "simulator"));
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  private CitySimulator(Settings settings) throws MqttException {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.districts = DistrictIndex.hangzhou();
    this.client = new MqttAsyncClient(settings.mqttUrl(), "citybrain-sim-" + settings.seed(), new MemoryPersistence());
    placeDevices();
  }

  public static CitySimulator start(Settings settings) {
    try {
      CitySimulator sim = new CitySimulator(settings);
      MqttConnectOptions o = new MqttConnectOptions();
      o.setAutomaticReconnect(true);
      o.setCleanSession(true);
      o.setMaxInflight(10_000);
      sim.client.connect(o).waitForCompletion(30_000);
      sim.timer.scheduleAtFixedRate(sim::tick, 0, settings.tickMillis(), TimeUnit.MILLISECONDS);
      LOG.info("simulator: {} loop detectors, {} probes, seed {}", settings.loops(), settings.probes(), settings.seed());
      return sim;
    } catch (MqttException e) {
      throw new IllegalStateException("simulator cannot connect to " + settings.mqttUrl() + ": " + e.getMessage(), e);
    }
  }

  private void placeDevices() {
    List<District> urban = districts.districts().stream().filter(d -> URBAN_DISTRICTS.contains(d.code())).toList();
    for (int i = 0; i < settings.loops() + settings.probes(); i++) {
      District d = urban.get(i % urban.size());
      double[] p = DistrictIndex.randomPointIn(d, random);
      String kind = i < settings.loops() ? "loop" : "probe";
      devices.add(new SimulatedDevice(String.format(Locale.ROOT, "%s-%05d", kind, i), kind, d.code(), p[0], p[1], random.nextDouble() * 360));
    }
  }

  private void tick() {
    try {
      long now = System.currentTimeMillis();
      double congestion = Readings.congestion(now);
      for (SimulatedDevice d : devices) {
        double speed = Readings.speedKmh("loop".equals(d.kind) ? 60 : 45, congestion, random.nextGaussian());
        String json;
        if ("loop".equals(d.kind)) {
          int intervalS = (int) (settings.tickMillis() / 1000);
          int count = (int) Math.max(0, Math.round((5 + 25 * congestion) * Math.max(1, intervalS) / 60.0 + random.nextGaussian()));
          json = String.format(Locale.ROOT,
              "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"count\":%d,\"intervalS\":%d,\"speedKmh\":%.1f,\"occupancy\":%.3f}",
              now, d.lat, d.lon, count, Math.max(1, intervalS), speed, Math.min(1.0, 0.05 + 0.6 * congestion));
        } else {
          move(d, speed);
          json = String.format(Locale.ROOT, "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"speedKmh\":%.1f,\"headingDeg\":%.1f}",
              now, d.lat, d.lon, speed, d.headingDeg);
        }
        publish("city/traffic/" + d.kind + "/" + d.id, json);
      }
      double sosPerTick = settings.sosPerHour() * settings.tickMillis() / 3_600_000.0;
      if (!devices.isEmpty() && random.nextDouble() < sosPerTick) {
        SimulatedDevice near = devices.get(random.nextInt(devices.size()));
        String id = String.format(Locale.ROOT, "sos-%05d", random.nextInt(100_000));
        publish("city/emergency/sos/" + id, String.format(Locale.ROOT,
            "{\"ts\":%d,\"lat\":%.6f,\"lon\":%.6f,\"pressed\":true}", now, near.lat, near.lon));
      }
    } catch (RuntimeException e) {
      LOG.warn("simulator tick failed", e);
    }
  }

  /** Moves a probe along its heading for one tick, turning back when it would leave its district. */
  private void move(SimulatedDevice d, double speedKmh) {
    double metres = speedKmh / 3.6 * settings.tickMillis() / 1000.0;
    double rad = Math.toRadians(d.headingDeg);
    double dLat = metres * Math.cos(rad) / 111_320.0;
    double dLon = metres * Math.sin(rad) / (111_320.0 * Math.cos(Math.toRadians(d.lat)));
    boolean inside = districts.locate(d.lon + dLon, d.lat + dLat).map(x -> x.code().equals(d.district)).orElse(false);
    if (inside) {
      d.lat += dLat;
      d.lon += dLon;
      d.headingDeg = (d.headingDeg + random.nextGaussian() * 10 + 360) % 360;
    } else {
      d.headingDeg = (d.headingDeg + 180) % 360;
    }
  }

  private void publish(String topic, String json) {
    MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    try {
      client.publish(topic, m);
      sent.incrementAndGet();
    } catch (MqttException e) {
      failed.incrementAndGet();
    }
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  public int devices() {
    return devices.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (MqttException e) {
      LOG.warn("unclean MQTT disconnect of the simulator", e);
    }
  }
}
