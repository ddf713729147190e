package io.thinimage.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backup --to PATH}: a consistent, verified copy of the database. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Write a consistent, integrity-checked copy of the database to PATH.",
      "Never overwrites. Safe while other commands run: it reads a snapshot."
    })
public final class BackupCommand extends BaseCommand {

  /** {@code backup --output json}. */
  public record BackupView(String path, long sizeBytes) {}

  @Option(names = "--to", required = true, paramLabel = "PATH", description = "Target file.")
  Path to;

  @Override
  protected boolean usesDaemonWhenLive() {
    return true;
  }

  @Override
  protected boolean mutating() {
    return false;
  }

  @Override
  protected int run(CliContext ctx) {
    Path target = to.toAbsolutePath().normalize();
    ctx.manager().backup(target);
    long size;
    try {
      size = Files.size(target);
    } catch (java.io.IOException e) {
      size = -1;
    }
    BackupView v = new BackupView(target.toString(), size);
    if (ctx.printer().json()) {
      ctx.printer().printJson(v);
    } else {
      ctx.printer().println("Backup written to " + v.path() + " (" + size + " bytes).");
    }
    return 0;
  }
}
