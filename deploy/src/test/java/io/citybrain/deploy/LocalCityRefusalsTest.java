package io.citybrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings that cannot work stop ./citybrain local before anything starts or is written. */
class LocalCityRefusalsTest {

  @TempDir Path dir;

  @Test
  void mosquittoWithTheEmbeddedBrokersAccountsIsRefusedNamingBothOptions() throws Exception {
    Path users = Files.writeString(dir.resolve("users.csv"), "");
    Path data = dir.resolve("data");
    LocalCity.Options o =
        LocalCity.Options.ephemeral(data).withMqttUsers(users).withMosquitto(true);
    assertThatThrownBy(() -> LocalCity.start(o, step -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--broker mosquitto")
        .hasMessageContaining("--mqtt-users");
    assertThat(data).doesNotExist();
  }
}
