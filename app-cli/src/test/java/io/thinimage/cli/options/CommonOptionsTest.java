package io.thinimage.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.cli.ThinimageCli;
import io.thinimage.cli.commands.BaseCommand;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommonOptionsTest {
  @TempDir Path tmp;

  private static CommonOptions parse(String... args) {
    CommandLine cl =
        ThinimageCli.commandLine(
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    CommandLine.ParseResult pr = cl.parseArgs(args);
    BaseCommand cmd = (BaseCommand) pr.subcommand().commandSpec().userObject();
    return cmd.common;
  }

  @Test
  void everyCommonOptionHasAnEnvironmentVariableAndShowsItsDefault() {
    int checked = 0;
    for (java.lang.reflect.Field f : CommonOptions.class.getDeclaredFields()) {
      CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
      if (o == null) {
        continue;
      }
      assertThat(o.defaultValue()).as(f.getName()).startsWith("${env:THINIMAGE_");
      assertThat(String.join(" ", o.description()))
          .as(f.getName())
          .contains("Env THINIMAGE_")
          .contains("Default: ${DEFAULT-VALUE}");
      checked++;
    }
    assertThat(checked).isEqualTo(18);
    // and every command that runs against a data dir carries them
    CommandLine cl =
        ThinimageCli.commandLine(
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    long commands =
        cl.getSubcommands().values().stream()
            .filter(c -> c.getCommandSpec().userObject() instanceof BaseCommand)
            .peek(c -> assertThat(c.getCommandSpec().mixins()).containsKey("common"))
            .map(c -> c.getCommandSpec().userObject())
            .distinct()
            .count();
    assertThat(commands).isEqualTo(12);
  }

  @Test
  void helpShowsEachDefaultAndItsVariable() {
    StringWriter out = new StringWriter();
    int code =
        ThinimageCli.execute(
            new String[] {"process-image", "--help"},
            new PrintWriter(out),
            new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("THINIMAGE_DATA_DIR. Default: /var/lib/thinimage")
        .contains("THINIMAGE_STORE. Default: s3:")
        .contains("THINIMAGE_REGION. Default: us-east-1")
        .contains("THINIMAGE_POOL_DRIVER. Default: auto")
        .contains("THINIMAGE_LOG_LEVEL. Default: warn")
        .contains("THINIMAGE_OUTPUT. Default: text")
        .contains("Default: <data-dir>/thinimage.db");
  }

  @Test
  void defaultsResolveUnderTheDataDir() {
    CliConfig c =
        CliConfig.resolve(
            parse("list-images"),
            new CliConfig.Host(Map.of(), tmp.resolve("absent"), tmp.resolve("home")));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/thinimage"));
    assertThat(c.dbFile()).isEqualTo(Path.of("/var/lib/thinimage/thinimage.db"));
    assertThat(c.blobDir()).isEqualTo(Path.of("/var/lib/thinimage/blobs"));
    assertThat(c.mountRoot()).isEqualTo(Path.of("/var/lib/thinimage/mounts"));
    assertThat(c.lockFile()).isEqualTo(Path.of("/var/lib/thinimage/thinimage.lock"));
    assertThat(c.storeUri()).isEqualTo("s3://flyio-platform-hiring-challenge");
    assertThat(c.region()).isEqualTo("us-east-1");
    assertThat(c.s3Endpoint()).isEmpty();
    assertThat(c.poolName()).isEqualTo("pool");
    assertThat(c.output()).isEqualTo(CommonOptions.OutputFormat.text);
    assertThat(c.logLevel()).isEqualTo(CommonOptions.LogLevel.warn);
    assertThat(c.noWait()).isFalse();
  }

  @Test
  void explicitPathsWinAndRelativeOnesBecomeAbsolute() {
    CliConfig c =
        CliConfig.resolve(
            parse("list-images", "--data-dir", "rel/data", "--db", "/x/y.db", "--local-dir", "/b"),
            new CliConfig.Host(Map.of(), tmp.resolve("absent"), tmp.resolve("home")));
    assertThat(c.dataDir().isAbsolute()).isTrue();
    assertThat(c.dataDir().toString()).endsWith("/rel/data");
    assertThat(c.dbFile()).isEqualTo(Path.of("/x/y.db"));
    assertThat(c.blobDir()).isEqualTo(Path.of("/b"));
    assertThat(c.mountRoot()).isEqualTo(c.dataDir().resolve("mounts"));
  }

  @Test
  void bucketIsTheSeedsSpellingOfAnS3Store() {
    CliConfig.Host host = new CliConfig.Host(Map.of(), tmp.resolve("absent"), tmp.resolve("home"));
    assertThat(CliConfig.resolve(parse("list-images", "--bucket", "my-bucket"), host).storeUri())
        .isEqualTo("s3://my-bucket");
    assertThatThrownBy(() -> CliConfig.resolve(parse("list-images", "--bucket", "a/b"), host))
        .isInstanceOfSatisfying(
            ThinImageException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT));
    assertThatThrownBy(() -> CliConfig.resolve(parse("list-images", "--store", "http://x"), host))
        .isInstanceOf(ThinImageException.class);
  }

  @Test
  void autoDriverPicksDevicemapperOnlyWhenTheControlNodeExists() throws Exception {
    Path control = Files.createFile(tmp.resolve("control"));
    CliConfig withDm =
        CliConfig.resolve(parse("status"), new CliConfig.Host(Map.of(), control, tmp));
    assertThat(withDm.driver()).isEqualTo("devicemapper");
    assertThat(withDm.driverWasAuto()).isTrue();
    CliConfig without =
        CliConfig.resolve(parse("status"), new CliConfig.Host(Map.of(), tmp.resolve("none"), tmp));
    assertThat(without.driver()).isEqualTo("directory");
    CliConfig forced =
        CliConfig.resolve(
            parse("status", "--pool-driver", "DIRECTORY"),
            new CliConfig.Host(Map.of(), control, tmp));
    assertThat(forced.driver()).isEqualTo("directory");
    assertThat(forced.driverWasAuto()).isFalse();
  }

  @Test
  void anonymousAutoMeansNoCredentialsConfigured() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path absent = tmp.resolve("absent");
    assertThat(
            CliConfig.resolve(parse("status"), new CliConfig.Host(Map.of(), absent, home))
                .anonymous())
        .isTrue();
    assertThat(
            CliConfig.resolve(
                    parse("status"),
                    new CliConfig.Host(Map.of("AWS_ACCESS_KEY_ID", "AKIA"), absent, home))
                .anonymous())
        .isFalse();
    Files.createDirectories(home.resolve(".aws"));
    Files.writeString(home.resolve(".aws/credentials"), "[default]\n");
    assertThat(
            CliConfig.resolve(parse("status"), new CliConfig.Host(Map.of(), absent, home))
                .anonymous())
        .isFalse();
    assertThat(
            CliConfig.resolve(
                    parse("status", "--anonymous"), new CliConfig.Host(Map.of(), absent, home))
                .anonymous())
        .isTrue();
    assertThat(
            CliConfig.resolve(
                    parse("status", "--anonymous=false"),
                    new CliConfig.Host(Map.of(), absent, tmp.resolve("x")))
                .anonymous())
        .isFalse();
  }

  @Test
  void badValuesAreUsageErrors() {
    StringWriter err = new StringWriter();
    int code =
        ThinimageCli.execute(
            new String[] {"status", "--pool-driver", "zfs"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("thinimage: usage: ").contains("--pool-driver");
    assertThat(err.toString().strip()).doesNotContain("\n");
  }
}
