package io.thinimage.adapters.devicemapper;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CommandRunner} that answers from a script, for the unit tests where no kernel
 * device-mapper exists. Each rule matches a command line by prefix; queued answers are used in
 * order and the last one repeats. Unmatched commands succeed with no output. Every call is
 * recorded.
 */
final class ScriptedRunner implements CommandRunner {
  private final Map<String, Deque<CommandResult>> rules = new LinkedHashMap<>();
  private final Set<String> lastAnswerUsed = new HashSet<>();
  private final List<String> calls = new ArrayList<>();

  /** Queues an answer for command lines starting with {@code prefix}. */
  ScriptedRunner on(String prefix, int exit, String stdout, String stderr) {
    Deque<CommandResult> q = rules.computeIfAbsent(prefix, k -> new ArrayDeque<>());
    if (lastAnswerUsed.remove(prefix)) {
      // The repeating last answer has been used: a new answer replaces it.
      q.clear();
    }
    q.add(new CommandResult(List.of(prefix), exit, stdout, stderr, false));
    return this;
  }

  /** A failing answer with dmsetup's usual two-line stderr. */
  ScriptedRunner fail(String prefix, String firstLine) {
    return on(prefix, 1, "", firstLine + "\nCommand failed.\n");
  }

  @Override
  public synchronized CommandResult run(List<String> argv, Duration timeout) {
    String line = String.join(" ", argv);
    calls.add(line);
    String best = null;
    for (String prefix : rules.keySet()) {
      if (line.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    if (best == null) {
      return new CommandResult(argv, 0, "", "", false);
    }
    Deque<CommandResult> q = rules.get(best);
    CommandResult r;
    if (q.size() > 1) {
      r = q.poll();
    } else {
      r = q.peek();
      lastAnswerUsed.add(best);
    }
    return new CommandResult(argv, r.exitCode(), r.stdout(), r.stderr(), false);
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /** The recorded calls that start with {@code prefix}. */
  synchronized List<String> calls(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).toList();
  }
}
