package io.thinimage.daemon.monitor;

import dev.tamboui.buffer.Buffer;
import dev.tamboui.layout.Constraint;
import dev.tamboui.layout.Layout;
import dev.tamboui.layout.Rect;
import dev.tamboui.style.Color;
import dev.tamboui.style.Style;
import dev.tamboui.text.Line;
import dev.tamboui.text.Span;
import dev.tamboui.text.Text;
import dev.tamboui.widgets.block.Block;
import dev.tamboui.widgets.block.BorderType;
import dev.tamboui.widgets.block.Borders;
import dev.tamboui.widgets.paragraph.Paragraph;
import dev.tamboui.widgets.table.Row;
import dev.tamboui.widgets.table.Table;
import dev.tamboui.widgets.table.TableState;
import io.thinimage.daemon.monitor.DashboardData.ActivityRow;
import io.thinimage.daemon.monitor.DashboardData.RunRow;
import io.thinimage.daemon.monitor.DashboardData.StoreRow;
import io.thinimage.daemon.monitor.DashboardData.SystemStatus;
import io.thinimage.daemon.monitor.UiState.Panel;
import io.thinimage.daemon.monitor.UiState.View;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the dashboard with TamboUI widgets into a {@link Buffer}: a pure function of the {@link
 * UiState} and the {@link DashboardData}, so tests render it off-screen and read the cells back.
 */
public final class DashboardView {
  private static final Style HEADER = Style.create().bold().fg(Color.YELLOW);
  private static final Style SELECTED = Style.create().reversed();
  private static final Style FOCUS = Style.create().fg(Color.CYAN);
  private static final Style ERROR = Style.create().fg(Color.RED);

  /** Columns of the system panel, borders included. */
  private static final int SYSTEM_WIDTH = 48;

  private DashboardView() {}

  /** Renders the whole screen into {@code buffer} over {@code area}. */
  public static void render(UiState ui, DashboardData data, Rect area, Buffer buffer) {
    List<Rect> rows =
        Layout.vertical()
            .constraints(Constraint.length(1), Constraint.fill(), Constraint.length(1))
            .split(area);
    title(ui, data).render(rows.get(0), buffer);
    if (ui.view() == View.MONITOR) {
      monitor(ui, data, rows.get(1), buffer);
    } else {
      images(ui, data, rows.get(1), buffer);
    }
    footer(ui, data).render(rows.get(2), buffer);
  }

  private static Paragraph title(UiState ui, DashboardData data) {
    Span dot =
        data.connected()
            ? Span.styled("● connected", Style.create().fg(Color.GREEN))
            : Span.styled("● disconnected: " + data.problem(), ERROR);
    Style on = Style.create().bold().reversed();
    return Paragraph.from(
        Line.from(
            Span.styled(" thinimage dashboard ", Style.create().bold()),
            Span.styled(" [1] Monitor ", ui.view() == View.MONITOR ? on : Style.EMPTY),
            Span.raw(" "),
            Span.styled(" [2] Images ", ui.view() == View.IMAGES ? on : Style.EMPTY),
            Span.raw("  "),
            dot));
  }

  private static Paragraph footer(UiState ui, DashboardData data) {
    String keys =
        ui.view() == View.MONITOR
            ? " 1/2 view  Tab panel  j/k move  g/G first/last  r refresh  q quit"
            : " 1/2 view  j/k move  g/G first/last  Enter submit  r refresh  q quit";
    return Paragraph.from(
        Line.from(
            Span.styled(keys, Style.create().dim()),
            Span.raw(data.notice().isEmpty() ? "" : "   " + data.notice())));
  }

  private static Block block(String title, boolean focused) {
    return Block.builder()
        .title(" " + title + " ")
        .borders(Borders.ALL)
        .borderType(BorderType.ROUNDED)
        .borderStyle(focused ? FOCUS : Style.EMPTY)
        .build();
  }

  private static void monitor(UiState ui, DashboardData data, Rect area, Buffer buffer) {
    List<Rect> parts =
        Layout.vertical().constraints(Constraint.percentage(45), Constraint.fill()).split(area);
    runsTable(ui, data).render(parts.get(0), buffer, selection(ui.runSelected(), data.runs()));
    List<Rect> lower =
        Layout.horizontal()
            .constraints(Constraint.length(SYSTEM_WIDTH), Constraint.fill())
            .split(parts.get(1));
    systemPanel(data.system(), ui.focus() == Panel.STATUS).render(lower.get(0), buffer);
    activityTable(ui, data)
        .render(lower.get(1), buffer, selection(ui.logSelected(), data.activity()));
  }

  private static TableState selection(int index, List<?> rows) {
    TableState s = new TableState();
    if (!rows.isEmpty()) {
      s.select(Math.min(index, rows.size() - 1));
    }
    return s;
  }

  private static Table runsTable(UiState ui, DashboardData data) {
    List<Row> rows = new ArrayList<>();
    for (RunRow r : data.runs()) {
      Row row = Row.from(r.type(), r.state(), r.image(), Format.progress(r), r.error());
      rows.add(r.error().isEmpty() ? row : row.style(ERROR));
    }
    if (rows.isEmpty()) {
      rows.add(Row.from("", "", "no active runs", "", ""));
    }
    return Table.builder()
        .header(Row.from("TYPE", "STATE", "IMAGE", "PROGRESS", "ERROR").style(HEADER))
        .rows(rows)
        .widths(
            Constraint.length(9),
            Constraint.length(10),
            Constraint.fill(2),
            Constraint.length(16),
            Constraint.fill(2))
        .highlightStyle(ui.focus() == Panel.RUNS ? SELECTED : Style.EMPTY)
        .block(block("Active runs (" + data.runs().size() + ")", ui.focus() == Panel.RUNS))
        .build();
  }

  private static Paragraph systemPanel(SystemStatus s, boolean focused) {
    Style healthStyle =
        "ok".equals(s.health()) ? Style.create().fg(Color.GREEN) : Style.create().fg(Color.RED);
    List<Line> lines =
        List.of(
            Line.from("pool      " + s.poolDriver()),
            Line.from("data      " + Format.usage(s.dataUsed(), s.dataTotal())),
            Line.from("metadata  " + Format.usage(s.metadataUsed(), s.metadataTotal())),
            Line.from("images    " + s.images() + " (" + s.readyImages() + " ready)"),
            Line.from("active    " + s.activeActivations() + " activations"),
            Line.from("runs      " + s.activeRuns() + " active, " + s.failedRuns() + " failed"),
            Line.from(Span.raw("health    "), Span.styled(s.health(), healthStyle)),
            Line.from("db        " + Format.tail(s.dbPath(), SYSTEM_WIDTH - 12)),
            Line.from("store     " + Format.tail(s.store(), SYSTEM_WIDTH - 12)));
    return Paragraph.builder()
        .text(Text.from(lines))
        .block(block("System status", focused))
        .build();
  }

  private static Table activityTable(UiState ui, DashboardData data) {
    List<Row> rows = new ArrayList<>();
    for (ActivityRow a : data.activity()) {
      Row row = Row.from(a.time(), a.fsm(), a.transition(), a.error());
      rows.add(a.error().isEmpty() ? row : row.style(ERROR));
    }
    return Table.builder()
        .header(Row.from("TIME", "FSM", "TRANSITION", "ERROR").style(HEADER))
        .rows(rows)
        .widths(Constraint.length(8), Constraint.length(9), Constraint.fill(3), Constraint.fill(1))
        .highlightStyle(ui.focus() == Panel.LOG ? SELECTED : Style.EMPTY)
        .block(block("Activity", ui.focus() == Panel.LOG))
        .build();
  }

  private static void images(UiState ui, DashboardData data, Rect area, Buffer buffer) {
    List<Row> rows = new ArrayList<>();
    for (StoreRow r : data.store()) {
      rows.add(Row.from(r.family(), r.layer(), Format.bytes(r.size()), r.downloaded()));
    }
    if (rows.isEmpty()) {
      rows.add(Row.from("no images", "", "", ""));
    }
    String title =
        data.storeFromListing()
            ? "Images in the store: " + data.system().store() + " (Enter submits the family)"
            : "Images known to the daemon (no store listing; Enter submits again)";
    Table table =
        Table.builder()
            .header(
                Row.from(
                        "FAMILY",
                        data.storeFromListing() ? "LAYER" : "LAYERS",
                        "SIZE",
                        "DOWNLOADED")
                    .style(HEADER))
            .rows(rows)
            .widths(
                Constraint.fill(2),
                Constraint.fill(2),
                Constraint.length(12),
                Constraint.length(12))
            .highlightStyle(SELECTED)
            .highlightSymbol("> ")
            .block(block(title, true))
            .build();
    table.render(area, buffer, selection(ui.storeSelected(), data.store()));
  }

  /** The buffer's text, one line per row, trailing spaces removed (tests and snapshots). */
  public static List<String> lines(Buffer buffer) {
    List<String> out = new ArrayList<>();
    Rect a = buffer.area();
    for (int y = a.y(); y < a.y() + a.height(); y++) {
      StringBuilder sb = new StringBuilder();
      for (int x = a.x(); x < a.x() + a.width(); x++) {
        sb.append(buffer.get(x, y).symbol());
      }
      out.add(sb.toString().stripTrailing());
    }
    return out;
  }
}
