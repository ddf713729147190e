package io.thinimage.daemon.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.daemon.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The daemon's JSON answers into dashboard rows. */
class DashboardSourceTest {
  private static JsonNode j(String s) {
    return Json.mapper().readTree(s.replace('\'', '"'));
  }

  private static final JsonNode RUNS =
      j(
          "{'active':[{'id':'r1','type':'image','state':'BUILD','status':'ACTIVE',"
              + "'resourceId':'img-1','attributes':{'reference':'images/a/'}},"
              + "{'id':'r2','type':'download','state':'FETCH','status':'ACTIVE','resourceId':'x',"
              + "'attributes':{'key':'images/a/2.tar'},'errorCode':'s3-timeout',"
              + "'errorMessage':'slow'}],'recent':[]}");
  private static final JsonNode STATUS =
      j(
          "{'objectStore':'file:///s','store':{'location':'/d/thinimage.db'},"
              + "'counts':{'images':2,'readyImages':1,'activeActivations':1,'activeRuns':2,"
              + "'failedRuns':0},'pool':{'driver':'directory','dataUsedBytes':10,"
              + "'dataTotalBytes':100,'metadataUsedBytes':-1,'metadataTotalBytes':-1}}");
  private static final JsonNode HEALTH = j("{'status':'ok'}");
  private static final JsonNode ACTIVITY =
      j(
          "{'transitions':[{'at':'2026-01-02T03:04:05Z','fsm':'image','fromState':'RESOLVE',"
              + "'event':'RESOLVED','toState':'FETCH'}]}");
  private static final JsonNode IMAGES =
      j(
          "{'images':[{'reference':{'value':'images/a/'},'state':'READY','layers':["
              + "{'object':{'key':'images/a/1.tar','size':5}},"
              + "{'object':{'key':'images/a/2.tar','size':7}}]}]}");
  private static final JsonNode LISTING =
      j(
          "{'store':'file:///s','prefix':'images/','objects':[{'key':'images/a/1.tar','size':5},"
              + "{'key':'images/b/1.tar','size':9}]}");

  @Test
  void parsesRunsStatusAndActivity() {
    DashboardData d = DashboardSource.parse(RUNS, STATUS, HEALTH, ACTIVITY, IMAGES, LISTING);
    assertThat(d.connected()).isTrue();
    assertThat(d.runs()).hasSize(2);
    assertThat(d.runs().get(0).image()).isEqualTo("images/a/");
    assertThat(d.runs().get(0).step()).isEqualTo(3);
    assertThat(d.runs().get(0).steps()).isEqualTo(4);
    assertThat(d.runs().get(1).image()).isEqualTo("images/a/2.tar");
    assertThat(d.runs().get(1).error()).isEqualTo("s3-timeout: slow");
    assertThat(d.system().dbPath()).isEqualTo("/d/thinimage.db");
    assertThat(d.system().dataTotal()).isEqualTo(100);
    assertThat(d.system().readyImages()).isEqualTo(1);
    assertThat(d.activity().get(0).transition()).isEqualTo("RESOLVE -RESOLVED-> FETCH");
    assertThat(d.activity().get(0).time()).matches("\\d\\d:\\d\\d:05");
  }

  @Test
  void storeListingRowsAreMarkedDownloadedWhenAKnownImageHasTheLayer() {
    DashboardData d = DashboardSource.parse(RUNS, STATUS, HEALTH, ACTIVITY, IMAGES, LISTING);
    assertThat(d.storeFromListing()).isTrue();
    assertThat(d.store())
        .containsExactly(
            new DashboardData.StoreRow("a", "1.tar", 5, "yes", "images/a/"),
            new DashboardData.StoreRow("b", "1.tar", 9, "no", "images/b/"));
  }

  @Test
  void withoutAListingTheKnownImagesAreBrowsed() {
    DashboardData d = DashboardSource.parse(RUNS, STATUS, HEALTH, ACTIVITY, IMAGES, null);
    assertThat(d.storeFromListing()).isFalse();
    assertThat(d.store())
        .containsExactly(new DashboardData.StoreRow("a", "2 layers", 12, "ready", "images/a/"));
  }

  @Test
  void familyOfKeysAndPrefixes() {
    assertThat(DashboardSource.familyOf("images/golang/2.tar")).isEqualTo("golang");
    assertThat(DashboardSource.familyOf("images/golang/")).isEqualTo("golang");
    assertThat(DashboardSource.familyOf("solo.tar")).isEqualTo("solo.tar");
  }

  @Test
  void plainReportIsTextWithoutControlCodes() {
    String text =
        PlainReport.render(DashboardSource.parse(RUNS, STATUS, HEALTH, ACTIVITY, IMAGES, LISTING));
    assertThat(text)
        .contains("daemon: connected   health: ok")
        .contains("images: 2 (1 ready)")
        .contains("BUILD 3/4 ###.")
        .contains("RESOLVE -RESOLVED-> FETCH")
        .doesNotContain("\u001b");
    assertThat(PlainReport.render(DashboardData.disconnected("no socket")))
        .isEqualTo("daemon: disconnected (no socket)\n");
  }
}
