package io.citybrain.jobs.common;

import io.citybrain.geo.CityManifest;
import io.citybrain.geo.CityModel;
import io.citybrain.geo.CityPackage;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Where a job's city comes from: a city package ({@code --city.package}, a directory or any URL
 * Flink's file systems read: {@code file:///srv/city}, {@code s3://bucket/cities/west-oakland}),
 * or, without one, the generated city of {@code city.seed} (the demo's Hangzhou).
 *
 * <p>Only this small value travels in the job graph; every task loads the package in its {@code
 * open()}. A JVM loads each package once and shares the immutable model and index between its
 * tasks, so a TaskManager of four slots reads it once. A package that changes on disk is read again
 * only by a new JVM: replace a city by deploying a new package path.
 *
 * @param packageUri the package's directory or URL; null for the generated city of {@code seed}
 */
public record CitySource(long seed, String packageUri) implements Serializable {

  public static final String PACKAGE_KEY = "city.package";
  public static final String SEED_KEY = "city.seed";

  /** The seed of the generated city when none is given, the one every example uses. */
  public static final long DEFAULT_SEED = 42;

  private static final Map<String, CityPackage> LOADED = new ConcurrentHashMap<>();

  /** The generated city of this seed. */
  public static CitySource generated(long seed) {
    return new CitySource(seed, null);
  }

  /** The package at this directory or URL. */
  public static CitySource of(String packageUri) {
    return new CitySource(0, packageUri);
  }

  /** The city and its manifest: read on first use in this JVM, then shared. */
  public CityPackage load() {
    if (packageUri == null) {
      return LOADED.computeIfAbsent("seed:" + seed, k -> CityPackage.generatedHangzhou(seed));
    }
    return LOADED.computeIfAbsent(packageUri, CitySource::read);
  }

  public CityModel city() {
    return load().city();
  }

  public CityManifest manifest() {
    return load().manifest();
  }

  /**
   * Checks the source can be read at all, before a job is submitted: a wrong path then stops
   * start-up naming {@value #PACKAGE_KEY} instead of failing every task later.
   */
  public CitySource checked() {
    try {
      load();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException(PACKAGE_KEY + " " + packageUri + ": " + e.getMessage(), e);
    }
    return this;
  }

  private static CityPackage read(String uri) {
    Path root = new Path(uri);
    FileSystem fs;
    try {
      fs = root.getFileSystem();
    } catch (IOException e) {
      throw new IllegalArgumentException("no file system for " + uri + ": " + e.getMessage(), e);
    }
    Path manifestPath = new Path(root, CityManifest.FILE);
    byte[] manifestBytes;
    try (InputStream in = fs.open(manifestPath)) {
      manifestBytes = in.readAllBytes();
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalArgumentException(
          uri + " is not a city package: it has no " + CityManifest.FILE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifestPath, e);
    }
    CityManifest manifest = CityManifest.read(manifestBytes, manifestPath.toString());
    return CityPackage.read(
        manifest,
        layer -> fs.open(new Path(root, manifest.layers().get(layer).file())),
        layer -> new Path(root, manifest.layers().get(layer).file()).toString());
  }

  @Override
  public String toString() {
    return packageUri == null
        ? "the generated city of seed " + seed
        : "the city package " + packageUri;
  }
}
