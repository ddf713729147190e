package io.thinimage.adapters.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.thinimage.core.domain.ThinImageException;
import io.thinimage.core.port.ImageRepository;
import io.thinimage.core.port.RepositoryReader;
import io.thinimage.core.port.RepositoryTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The {@link ImageRepository} on one SQLite file.
 *
 * <p>One writer connection (a pool of exactly one) takes every write in an IMMEDIATE transaction,
 * behind a lock, so writers queue in Java rather than meet SQLITE_BUSY; reads use a separate pool
 * of read-only connections and see a consistent WAL snapshot. Every connection of both pools is
 * opened with the same PRAGMAs (WAL, {@code synchronous}, {@code busy_timeout}, foreign keys),
 * passed as driver properties so a pool cannot hand out a connection without them.
 *
 * <p>Opening checks the file first (header, then {@code quick_check} read-only) and refuses a bad
 * one without writing to it; then it migrates the schema ({@code user_version}). A daemon thread
 * runs PASSIVE checkpoints; {@link #close()} runs a TRUNCATE checkpoint so the main file alone
 * holds everything.
 */
public final class SqliteImageRepository implements ImageRepository {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteImageRepository.class);

  private final Path dbFile;
  private final SqliteOptions options;
  private final HikariDataSource writer;
  private final HikariDataSource readers;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ScheduledExecutorService checkpointer;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SqliteImageRepository(
      Path dbFile, SqliteOptions options, HikariDataSource writer, HikariDataSource readers) {
    this.dbFile = dbFile;
    this.options = options;
    this.writer = writer;
    this.readers = readers;
    this.checkpointer = startCheckpoints();
  }

  /** Opens (creating if needed) the store at {@code dbFile} with {@link SqliteOptions#defaults}. */
  public static SqliteImageRepository open(Path dbFile) {
    return open(dbFile, SqliteOptions.defaults());
  }

  /**
   * Opens (creating the file and its parent directories if needed) the store at {@code dbFile}.
   * INVALID_INPUT {@code store-corrupt} if the file is not a sound SQLite database; the file is
   * then left exactly as it was.
   */
  public static SqliteImageRepository open(Path dbFile, SqliteOptions options) {
    Path db = dbFile.toAbsolutePath().normalize();
    try {
      Files.createDirectories(db.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of " + db, e);
    }
    DatabaseFile.verifyExisting(db);
    HikariDataSource writer = pool(db, options, false);
    HikariDataSource readers = null;
    try {
      int before;
      try (Connection c = writer.getConnection()) {
        before = Migrations.migrate(c, db.toString());
      } catch (SQLException e) {
        throw SqlErrors.map(e, "migrating " + db);
      }
      // Readers open read-only, so only after the writer has created and migrated the file.
      readers = pool(db, options, true);
      LOG.info(
          "opened store {} (schema {} -> {}, synchronous={})",
          db,
          before,
          Migrations.LATEST,
          options.synchronous());
      return new SqliteImageRepository(db, options, writer, readers);
    } catch (RuntimeException e) {
      if (readers != null) {
        readers.close();
      }
      writer.close();
      throw e;
    }
  }

  private static HikariDataSource pool(Path db, SqliteOptions options, boolean readOnly) {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(
        options.synchronous() == SqliteOptions.Synchronous.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    sqlite.setBusyTimeout((int) options.busyTimeout().toMillis());
    sqlite.enforceForeignKeys(true);
    sqlite.setTransactionMode(
        readOnly ? SQLiteConfig.TransactionMode.DEFERRED : SQLiteConfig.TransactionMode.IMMEDIATE);
    sqlite.setReadOnly(readOnly);

    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("thinimage-sqlite-" + (readOnly ? "read" : "write"));
    hikari.setJdbcUrl("jdbc:sqlite:" + db);
    // Per-connection PRAGMAs travel as driver properties: applied to every connection opened.
    hikari.setDataSourceProperties(sqlite.toProperties());
    int size = readOnly ? options.readPoolSize() : 1;
    hikari.setMaximumPoolSize(size);
    hikari.setMinimumIdle(size);
    hikari.setReadOnly(readOnly);
    hikari.setAutoCommit(true); // transactions are explicit BEGIN ... COMMIT statements
    hikari.setConnectionTimeout(Math.max(30_000, options.busyTimeout().toMillis() * 2));
    return new HikariDataSource(hikari);
  }

  private ScheduledExecutorService startCheckpoints() {
    long every = options.checkpointInterval().toMillis();
    if (every <= 0) {
      return null;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "thinimage-sqlite-checkpoint");
              t.setDaemon(true);
              return t;
            });
    s.scheduleWithFixedDelay(this::passiveCheckpoint, every, every, TimeUnit.MILLISECONDS);
    return s;
  }

  private void passiveCheckpoint() {
    if (closed.get()) {
      return;
    }
    writeLock.lock();
    try (Connection c = writer.getConnection()) {
      Jdbc.exec(c, "PRAGMA wal_checkpoint(PASSIVE)");
    } catch (SQLException | RuntimeException e) {
      LOG.warn("periodic WAL checkpoint of {} failed", dbFile, e);
    } finally {
      writeLock.unlock();
    }
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("store " + dbFile + " is closed");
    }
  }

  @Override
  public <T> T inTransaction(Function<RepositoryTransaction, T> work) {
    requireOpen();
    if (writeLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("inTransaction must not be nested");
    }
    writeLock.lock();
    try {
      requireOpen();
      return write(work);
    } finally {
      writeLock.unlock();
    }
  }

  private <T> T write(Function<RepositoryTransaction, T> work) {
    Connection c;
    try {
      c = writer.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.map(e, "getting the writer connection of " + dbFile);
    }
    try {
      try {
        Jdbc.exec(c, "BEGIN IMMEDIATE");
      } catch (SQLException e) {
        throw SqlErrors.map(e, "beginning a write transaction on " + dbFile);
      }
      SqlTransaction tx = new SqlTransaction(c);
      boolean committed = false;
      try {
        T result = work.apply(tx);
        tx.end();
        try {
          Jdbc.exec(c, "COMMIT");
        } catch (SQLException e) {
          throw SqlErrors.map(e, "committing to " + dbFile);
        }
        committed = true;
        return result;
      } finally {
        tx.end();
        if (!committed) {
          rollback(c);
        }
      }
    } finally {
      close(c);
    }
  }

  private void rollback(Connection c) {
    try {
      Jdbc.exec(c, "ROLLBACK");
    } catch (SQLException e) {
      // No transaction to roll back (BEGIN failed) or an unknown state: either way this
      // connection must not serve the next transaction.
      LOG.debug("rollback on {} failed; evicting the connection", dbFile, e);
      writer.evictConnection(c);
    }
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing a pooled connection failed", e);
    }
  }

  @Override
  public <T> T read(Function<RepositoryReader, T> query) {
    requireOpen();
    try (Connection c = readers.getConnection()) {
      // A deferred transaction: every query of this read sees the same snapshot.
      Jdbc.exec(c, "BEGIN");
      SqlReader reader = new SqlReader(c);
      try {
        return query.apply(reader);
      } finally {
        reader.end();
        try {
          Jdbc.exec(c, "COMMIT");
        } catch (SQLException e) {
          readers.evictConnection(c);
        }
      }
    } catch (SQLException e) {
      throw SqlErrors.map(e, "reading " + dbFile);
    }
  }

  @Override
  public StoreInfo info() {
    requireOpen();
    int version;
    try (Connection c = readers.getConnection()) {
      version = (int) Jdbc.number(c, "PRAGMA user_version");
    } catch (SQLException e) {
      throw SqlErrors.map(e, "reading the schema version of " + dbFile);
    }
    long size = sizeOrZero(dbFile);
    long wal = sizeOrZero(DatabaseFile.wal(dbFile));
    return new StoreInfo(dbFile.toString(), size, wal, version, wal > options.walWarningBytes());
  }

  private static long sizeOrZero(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0; // the WAL can vanish between the two calls when the last connection closes
    }
  }

  /** {@code PRAGMA integrity_check} of the store: the problems found, empty when sound. */
  List<String> integrityCheck() {
    requireOpen();
    try (Connection c = readers.getConnection()) {
      return DatabaseFile.check(c, "PRAGMA integrity_check");
    } catch (SQLException e) {
      throw SqlErrors.map(e, "checking " + dbFile);
    }
  }

  @Override
  public void backup(Path target) {
    requireOpen();
    Path dest = target.toAbsolutePath().normalize();
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      throw ThinImageException.conflict(
          "backup-target-exists", "backup target already exists: " + dest);
    }
    List<String> problems = integrityCheck();
    if (!problems.isEmpty()) {
      throw ThinImageException.invalid(
          "store-corrupt",
          "refusing to back up "
              + dbFile
              + ": integrity_check found "
              + String.join("; ", problems));
    }
    Path dir = dest.getParent();
    Path tmp = dir.resolve("." + dest.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createDirectories(dir);
      try (Connection c = readers.getConnection();
          PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
        // A consistent snapshot, written by SQLite itself; readers never block the writer.
        ps.setString(1, tmp.toString());
        ps.execute();
      }
      verifyCopy(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
        throw ThinImageException.conflict(
            "backup-target-exists", "backup target appeared while writing: " + dest);
      }
      Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true); // the rename itself is durable
      }
      LOG.info("backed up {} to {}", dbFile, dest);
    } catch (SQLException e) {
      throw SqlErrors.map(e, "backing up " + dbFile + " to " + dest);
    } catch (IOException e) {
      throw new UncheckedIOException("backing up " + dbFile + " to " + dest, e);
    } finally {
      deleteQuietly(tmp);
      deleteQuietly(DatabaseFile.wal(tmp));
      deleteQuietly(DatabaseFile.shm(tmp));
    }
  }

  private static void verifyCopy(Path copy) throws SQLException {
    List<String> problems;
    try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + copy)) {
      problems = DatabaseFile.check(c, "PRAGMA integrity_check");
    }
    if (!problems.isEmpty()) {
      throw ThinImageException.internal(
          "backup-corrupt",
          "the backup copy failed integrity_check: " + String.join("; ", problems),
          null);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("could not delete {}", p, e);
    }
  }

  /** Where the store lives (absolute). */
  public Path location() {
    return dbFile;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (checkpointer != null) {
      checkpointer.shutdown();
      try {
        if (!checkpointer.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.warn("periodic checkpoint of {} still running at close", dbFile);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    writeLock.lock();
    try (Connection c = writer.getConnection()) {
      Jdbc.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (SQLException | RuntimeException e) {
      LOG.warn("final WAL checkpoint of {} failed; the WAL keeps the data", dbFile, e);
    } finally {
      writeLock.unlock();
    }
    readers.close();
    writer.close();
    LOG.info("closed store {}", dbFile);
  }

  // For tests in this package: the pools, to read every connection's PRAGMAs back.
  /**
   * Publishes the connection pools' metrics (Hikari's {@code hikaricp_connections_*}: active, idle,
   * pending, acquire and usage times, timeouts) to {@code registry}, tagged {@code
   * pool=thinimage-sqlite-write} and {@code -read}. Needs Micrometer on the class path; call once.
   */
  public void bindMetrics(MeterRegistry registry) {
    writer.setMetricRegistry(registry);
    if (readers != null) {
      readers.setMetricRegistry(registry);
    }
  }

  HikariDataSource writerPool() {
    return writer;
  }

  HikariDataSource readerPool() {
    return readers;
  }

  SqliteOptions options() {
    return options;
  }
}
