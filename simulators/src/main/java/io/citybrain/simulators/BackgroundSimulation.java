package io.citybrain.simulators;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulation running on a thread of its own until closed: what {@code ./citybrain local} starts.
 */
public final class BackgroundSimulation implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundSimulation.class);

  private final AtomicBoolean stop = new AtomicBoolean();
  private final Stats stats = new Stats();
  private final Thread thread;
  private final Fleet fleet;

  private BackgroundSimulation(Fleet fleet, Simulation simulation, Publisher.Target target) {
    this.fleet = fleet;
    this.thread =
        new Thread(
            () -> {
              try (Publisher publisher = new Publisher(target, 0, null, stats)) {
                simulation.run(publisher, stats, stop::get, line -> LOG.debug(line));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                LOG.error("the simulation stopped", e);
              }
            },
            "simulation");
  }

  /** Plays {@code scenario} live on a fleet of {@code devices}. */
  public static BackgroundSimulation start(
      String mqttUrl,
      io.citybrain.geo.CityPackage city,
      int devices,
      long seed,
      Scenario scenario) {
    return start(mqttUrl, Fleet.build(city, devices, seed), seed, scenario);
  }

  /**
   * Plays {@code scenario} live on {@code fleet}, from the last minute or two ({@link
   * Simulation.Settings#live}).
   */
  public static BackgroundSimulation start(
      String mqttUrl, Fleet fleet, long seed, Scenario scenario) {
    Simulation sim = new Simulation(fleet, Simulation.Settings.live(seed, scenario, Instant.now()));
    BackgroundSimulation b =
        new BackgroundSimulation(
            fleet,
            sim,
            new Publisher.Target(mqttUrl, Publisher.Target.uniqueClientId(seed), null, null, 1));
    b.thread.setDaemon(true);
    b.thread.start();
    LOG.info(
        "simulating {} on {} devices, seed {}", scenario.wireName(), fleet.devices().size(), seed);
    return b;
  }

  public Fleet fleet() {
    return fleet;
  }

  public Stats stats() {
    return stats;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(40_000);
  }
}
