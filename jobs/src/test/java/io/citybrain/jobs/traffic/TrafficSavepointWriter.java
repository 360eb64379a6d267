package io.citybrain.jobs.traffic;

import io.citybrain.embedded.EmbeddedKafka;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

/**
 * Writes the savepoint that later builds of the traffic job must restore: runs the current job on a
 * MiniCluster over {@link TrafficSavepoints#before()} and stops it with a canonical savepoint into
 * {@code jobs/src/test/resources/savepoints/traffic/<date>/} (or the directory given). Run by hand
 * when the job's state changes on purpose (see docs/traffic.md), then commit the directory.
 */
public final class TrafficSavepointWriter {

  public static void main(String[] args) throws Exception {
    Path out =
        Path.of(
            args.length > 0
                ? args[0]
                : "jobs/src/test/resources/savepoints/traffic/" + LocalDate.now(ZoneOffset.UTC));
    Path work = Files.createTempDirectory("traffic-savepoint");
    TrafficSavepoints.Place place = TrafficSavepoints.place();
    try (EmbeddedKafka kafka = TrafficSavepoints.kafka(work.resolve("kafka"))) {
      TrafficSavepoints.produce(kafka.bootstrapServers(), place, TrafficSavepoints.before());
      JobClient job = TrafficSavepoints.start(kafka.bootstrapServers(), null);
      // Six closed minutes mean the seventh record (minute 06) was read: the savepoint holds its
      // window.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (TrafficSavepoints.segmentRows() < 6 || TrafficSavepoints.districtRows() < 6) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the job did not close minutes 00..05 within 3 minutes");
        }
        Thread.sleep(100);
      }
      String written =
          job.stopWithSavepoint(
                  false,
                  work.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get(3, TimeUnit.MINUTES);
      Files.createDirectories(out);
      try (Stream<Path> files = Files.list(Path.of(URI.create(written)))) {
        for (Path f : files.toList()) {
          Files.copy(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (Stream<Path> files = Files.list(out)) {
        List<Path> all = files.toList();
        long bytes = 0;
        for (Path f : all) {
          bytes += Files.size(f);
        }
        System.out.printf(
            "savepoint of segment %s written to %s: %d files, %d bytes%n",
            place.segment().segmentId(), out.toAbsolutePath(), all.size(), bytes);
      }
    }
    System.exit(0);
  }
}
