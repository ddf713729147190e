package io.thinimage.adapters.devicemapper;

import io.thinimage.core.domain.ThinImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Lists the thin ids that exist in a live pool's metadata, active or not, with {@code thin_ls} on a
 * reserved metadata snapshot ({@code reserve_metadata_snap}, read, {@code release_metadata_snap}).
 * This is the only way to see an inactive thin device, e.g. one made by a {@code create_thin} whose
 * caller died before activating it. {@code thin_ls} comes from thin-provisioning-tools; without it
 * the answer is empty and callers fall back to active devices.
 */
public final class ThinLs {
  private final CommandRunner runner;
  private final Dmsetup dm;
  private final Duration timeout;
  private final Path sysDevBlock;
  private volatile boolean unavailable;

  public ThinLs(CommandRunner runner, Dmsetup dm, Duration timeout) {
    this(runner, dm, timeout, Path.of("/sys/dev/block"));
  }

  ThinLs(CommandRunner runner, Dmsetup dm, Duration timeout, Path sysDevBlock) {
    this.runner = runner;
    this.dm = dm;
    this.timeout = timeout;
    this.sysDevBlock = sysDevBlock;
  }

  /** The thin ids in the pool, or empty when thin_ls is missing or the pool cannot be read. */
  public Optional<TreeSet<Long>> thinIds(String pool) {
    if (unavailable) {
      return Optional.empty();
    }
    Optional<String> table = dm.table(pool);
    if (table.isEmpty()) {
      return Optional.empty();
    }
    String[] f = table.get().split(" ");
    if (f.length < 5 || !"thin-pool".equals(f[2])) {
      return Optional.empty();
    }
    Optional<String> metaDev = devicePath(f[3]);
    if (metaDev.isEmpty()) {
      return Optional.empty();
    }
    try {
      dm.message(pool, "reserve_metadata_snap");
    } catch (ThinImageException e) {
      // Someone (an operator's thin_dump) holds a metadata snapshot: do not steal it.
      return Optional.empty();
    }
    try {
      CommandResult r =
          runner.run(
              List.of("thin_ls", "--metadata-snap", "-o", "DEV", "--no-headers", metaDev.get()),
              timeout);
      if (!r.ok()) {
        return Optional.empty();
      }
      TreeSet<Long> ids = new TreeSet<>();
      for (String line : r.stdout().split("\n")) {
        String t = line.strip();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
          ids.add(Long.parseLong(t));
        }
      }
      return Optional.of(ids);
    } catch (ThinImageException e) {
      if ("command-start-failed".equals(e.code())) {
        unavailable = true;
        return Optional.empty();
      }
      throw e;
    } finally {
      dm.message(pool, "release_metadata_snap");
    }
  }

  /** {@code /dev/<name>} for a {@code major:minor} pair (via sysfs), or the path as given. */
  Optional<String> devicePath(String dev) {
    if (dev.startsWith("/")) {
      return Optional.of(dev);
    }
    Path uevent = sysDevBlock.resolve(dev).resolve("uevent");
    try {
      for (String line : Files.readAllLines(uevent, StandardCharsets.UTF_8)) {
        if (line.startsWith("DEVNAME=")) {
          return Optional.of("/dev/" + line.substring("DEVNAME=".length()));
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
