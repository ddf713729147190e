package io.thinimage.daemon.monitor;

/**
 * The dashboard's navigation state and its key bindings, as pure values: {@link #onKey} returns the
 * next state and what the app must do. Keys: {@code 1}/{@code 2} views, Tab focus (monitor view),
 * {@code j}/{@code k} (or arrows) move, {@code g}/{@code G} first/last, Enter submits the selected
 * image (image view), {@code r} refreshes now, {@code q} or Ctrl-C quits.
 *
 * @param view the view shown
 * @param focus the focused panel of the monitor view
 * @param runSelected selected row of the runs panel
 * @param logSelected selected row of the activity log
 * @param storeSelected selected row of the image browser
 */
public record UiState(View view, Panel focus, int runSelected, int logSelected, int storeSelected) {

  /** The two views. */
  public enum View {
    MONITOR,
    IMAGES
  }

  /** The panels Tab cycles through in the monitor view. */
  public enum Panel {
    RUNS,
    STATUS,
    LOG;

    /** The panel Tab moves to. */
    Panel next() {
      return switch (this) {
        case RUNS -> STATUS;
        case STATUS -> LOG;
        case LOG -> RUNS;
      };
    }
  }

  /** What the app does after a key. */
  public enum Action {
    NONE,
    REFRESH,
    SUBMIT,
    QUIT
  }

  /** A state and an action. */
  public record Step(UiState state, Action action) {}

  /** Key codes as the terminal delivers them. */
  public static final int TAB = 9;

  public static final int ENTER_CR = 13;
  public static final int ENTER_LF = 10;
  public static final int CTRL_C = 3;

  public static UiState initial() {
    return new UiState(View.MONITOR, Panel.RUNS, 0, 0, 0);
  }

  /** The next state after {@code key}, given the data on screen (for list lengths). */
  public Step onKey(int key, DashboardData data) {
    return switch (key) {
      case 'q', CTRL_C -> new Step(this, Action.QUIT);
      case '1' -> new Step(with(View.MONITOR, focus), Action.NONE);
      case '2' -> new Step(with(View.IMAGES, focus), Action.NONE);
      case TAB ->
          view == View.MONITOR
              ? new Step(with(view, focus.next()), Action.NONE)
              : new Step(with(View.MONITOR, focus), Action.NONE);
      case 'r' -> new Step(this, Action.REFRESH);
      case 'j' -> new Step(move(1, data), Action.NONE);
      case 'k' -> new Step(move(-1, data), Action.NONE);
      case 'g' -> new Step(move(Integer.MIN_VALUE / 2, data), Action.NONE);
      case 'G' -> new Step(move(Integer.MAX_VALUE / 2, data), Action.NONE);
      case ENTER_CR, ENTER_LF ->
          new Step(
              this, view == View.IMAGES && !data.store().isEmpty() ? Action.SUBMIT : Action.NONE);
      default -> new Step(this, Action.NONE);
    };
  }

  /** The selection clamped to the data's list lengths (lists shrink between refreshes). */
  public UiState clamp(DashboardData data) {
    return new UiState(
        view,
        focus,
        clampTo(runSelected, data.runs().size()),
        clampTo(logSelected, data.activity().size()),
        clampTo(storeSelected, data.store().size()));
  }

  /** The image row Enter submits, if any. */
  public java.util.Optional<DashboardData.StoreRow> selectedStoreRow(DashboardData data) {
    if (data.store().isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(data.store().get(clampTo(storeSelected, data.store().size())));
  }

  private UiState with(View v, Panel p) {
    return new UiState(v, p, runSelected, logSelected, storeSelected);
  }

  private UiState move(int delta, DashboardData data) {
    if (view == View.IMAGES) {
      return new UiState(
          view, focus, runSelected, logSelected, add(storeSelected, delta, data.store().size()));
    }
    return switch (focus) {
      case RUNS ->
          new UiState(
              view, focus, add(runSelected, delta, data.runs().size()), logSelected, storeSelected);
      case LOG ->
          new UiState(
              view,
              focus,
              runSelected,
              add(logSelected, delta, data.activity().size()),
              storeSelected);
      case STATUS -> this;
    };
  }

  private static int add(int at, int delta, int size) {
    return clampTo(
        (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, (long) at + delta)), size);
  }

  private static int clampTo(int i, int size) {
    if (size <= 0) {
      return 0;
    }
    return Math.max(0, Math.min(size - 1, i));
  }
}
