package io.thinimage.cli.proof;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The at-rest invariants of a data dir on the directory pool, read from the files and the SQLite
 * database directly (not through the product), after a lock-taking command reconciled it. The same
 * checks as {@code torture/check-invariants.py}; docs/RELIABILITY.md names them I1 to I7.
 */
final class DataDirInvariants {
  private DataDirInvariants() {}

  /** Returns one line per violation; empty when the data dir is consistent. */
  static List<String> violations(Path data) throws IOException, SQLException {
    List<String> bad = new ArrayList<>();
    Map<Long, String> volumes = new HashMap<>();
    Map<String, Long> blobRows = new HashMap<>();
    Map<Long, String> activeByThin = new HashMap<>();
    String url = "jdbc:sqlite:file:" + data.resolve("thinimage.db") + "?mode=ro";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      List<String> ic = column(s, "PRAGMA integrity_check");
      if (!ic.equals(List.of("ok"))) {
        bad.add("I1 integrity_check: " + ic);
      }
      if (!column(s, "PRAGMA foreign_key_check").isEmpty()) {
        bad.add("I1 foreign_key_check not empty");
      }
      for (String row : column(s, "SELECT id || ' ' || state FROM images WHERE state <> 'READY'")) {
        bad.add("I2 image not ready: " + row);
      }
      for (String row :
          column(
              s,
              "SELECT id || ' ' || type || ' ' || state || ' ' || status FROM fsm_runs"
                  + " WHERE status IN ('ACTIVE', 'FAILED')")) {
        bad.add("I3 run in flight or failed: " + row);
      }
      try (ResultSet r = s.executeQuery("SELECT thin_id, kind, state FROM volumes")) {
        while (r.next()) {
          volumes.put(r.getLong(1), r.getString(2));
          if (!"READY".equals(r.getString(3))) {
            bad.add("I4 volume " + r.getLong(1) + " is " + r.getString(3));
          }
        }
      }
      try (ResultSet r = s.executeQuery("SELECT id, state, thin_id FROM activations")) {
        while (r.next()) {
          String id = r.getString(1);
          String state = r.getString(2);
          long thin = r.getLong(3);
          if ("ACTIVE".equals(state)) {
            if (activeByThin.put(thin, id) != null) {
              bad.add("I5 thin " + thin + " owned by two activations");
            }
            if (!"ACTIVATION".equals(volumes.get(thin))) {
              bad.add("I5 active activation " + id + " has no volume " + thin);
            }
          } else if ("INACTIVE".equals(state)) {
            if (volumes.containsKey(thin)) {
              bad.add("I5 inactive activation " + id + " still has volume " + thin);
            }
          } else {
            bad.add("I5 activation " + id + " is " + state);
          }
        }
      }
      try (ResultSet r = s.executeQuery("SELECT digest, size FROM blobs")) {
        while (r.next()) {
          blobRows.put(r.getString(1), r.getLong(2));
        }
      }
    }
    volumes.forEach(
        (thin, kind) -> {
          if ("ACTIVATION".equals(kind) && !activeByThin.containsKey(thin)) {
            bad.add("I5 activation volume " + thin + " has no active activation");
          }
        });

    Set<Long> dirs = new HashSet<>();
    for (String name : names(data.resolve("pool/volumes"))) {
      if (name.matches("ti-\\d+")) {
        dirs.add(Long.parseLong(name.substring(3)));
      } else {
        bad.add("I4 stray entry in pool/volumes: " + name);
      }
    }
    for (long t : dirs) {
      if (!volumes.containsKey(t)) {
        bad.add("I4 volume dir ti-" + t + " has no row (orphan)");
      }
    }
    for (long t : volumes.keySet()) {
      if (!dirs.contains(t)) {
        bad.add("I4 volume row " + t + " has no dir");
      }
    }

    Path blobs = data.resolve("blobs/sha256");
    Set<String> files = new HashSet<>(names(blobs));
    for (String f : files) {
      if (!blobRows.containsKey(f)) {
        bad.add("I6 blob file " + f + " has no row");
      }
      Path p = blobs.resolve(f);
      String got = sha256(p);
      if (!got.equals(f)) {
        bad.add("I6 blob " + f + " hashes to " + got);
      }
      Long size = blobRows.get(f);
      if (size != null && size != Files.size(p)) {
        bad.add("I6 blob " + f + " size " + Files.size(p) + " != row " + size);
      }
    }
    for (String d : blobRows.keySet()) {
      if (!files.contains(d)) {
        bad.add("I6 blob row " + d + " has no file");
      }
    }
    for (String sub : List.of("blobs/partial", "pool/tmp", "mounts")) {
      List<String> left = names(data.resolve(sub));
      if (!left.isEmpty()) {
        bad.add("I7 temp files left in " + sub + ": " + left);
      }
    }
    return bad;
  }

  /** Chain volumes, blobs and live activations, for dedupe assertions. */
  static long count(Path data, String sql) throws SQLException {
    String url = "jdbc:sqlite:file:" + data.resolve("thinimage.db") + "?mode=ro";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getLong(1) : 0;
    }
  }

  private static List<String> column(Statement s, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(String.valueOf(r.getObject(1)));
      }
    }
    return out;
  }

  static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static String sha256(Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
