package io.thinimage.daemon.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamboui.buffer.Buffer;
import dev.tamboui.layout.Rect;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure state-to-widgets mapping, rendered off-screen and read back cell by cell. */
class DashboardViewTest {

  private static String screen(UiState ui, DashboardData data) {
    Rect area = new Rect(0, 0, 120, 30);
    Buffer buffer = Buffer.empty(area);
    DashboardView.render(ui, data, area, buffer);
    List<String> lines = DashboardView.lines(buffer);
    assertThat(lines).hasSize(30);
    return String.join("\n", lines);
  }

  @Test
  void monitorViewShowsRunsStatusAndActivity() {
    String s = screen(UiState.initial(), Fixtures.sample());
    assertThat(s)
        .contains("thinimage dashboard")
        .contains("● connected")
        .contains("Active runs (2)")
        .contains("TYPE")
        .contains("PROGRESS")
        .contains("images/golang/")
        .contains("FETCH 2/4 ##..")
        .contains("s3-timeout: read timed out")
        .contains("System status")
        .contains("12.0 MiB / 1.0 GiB (1%)")
        .contains("3 (2 ready)")
        .contains("1 activations")
        .contains("/srv/ti/thinimage.db")
        .contains("Activity")
        .contains("CHECK -MISSING-> FETCH")
        .doesNotContain("DOWNLOADED");
  }

  @Test
  void imagesViewListsTheStoreAndMarksTheSelection() {
    UiState ui = UiState.initial().onKey('2', Fixtures.sample()).state();
    ui = ui.onKey('j', Fixtures.sample()).state();
    String s = screen(ui, Fixtures.sample());
    assertThat(s)
        .contains("Images in the store: file:///srv/layers")
        .contains("FAMILY")
        .contains("DOWNLOADED")
        .contains("python")
        .contains("1.0 MiB")
        .doesNotContain("Active runs");
    assertThat(s.lines().filter(l -> l.contains("> ")).toList())
        .singleElement()
        .asString()
        .contains("2.tar");
  }

  @Test
  void knownImagesWhenTheDaemonHasNoListing() {
    DashboardData d = Fixtures.sample();
    DashboardData known =
        new DashboardData(true, "", d.runs(), d.system(), d.activity(), d.store(), false, "");
    String s = screen(UiState.initial().onKey('2', known).state(), known);
    assertThat(s).contains("Images known to the daemon").contains("LAYERS");
  }

  @Test
  void disconnectedShowsTheReasonAndEmptyPanels() {
    String s = screen(UiState.initial(), DashboardData.disconnected("connection refused"));
    assertThat(s)
        .contains("● disconnected: connection refused")
        .contains("no active runs")
        .contains("health    unknown");
  }

  @Test
  void footerShowsTheNotice() {
    String s =
        screen(
            UiState.initial().onKey('2', Fixtures.sample()).state(),
            Fixtures.sample().withNotice("submitted images/python/ (run r9)"));
    assertThat(s).contains("Enter submit").contains("submitted images/python/ (run r9)");
  }
}
