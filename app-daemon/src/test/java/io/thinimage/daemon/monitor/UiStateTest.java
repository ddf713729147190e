package io.thinimage.daemon.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.thinimage.daemon.monitor.UiState.Action;
import io.thinimage.daemon.monitor.UiState.Panel;
import io.thinimage.daemon.monitor.UiState.View;
import org.junit.jupiter.api.Test;

/** Key bindings as pure state transitions. */
class UiStateTest {
  private final DashboardData data = Fixtures.sample();

  private UiState press(UiState s, String keys) {
    for (char c : keys.toCharArray()) {
      s = s.onKey(c, data).state();
    }
    return s;
  }

  @Test
  void numbersSwitchViewsAndTabCyclesPanels() {
    UiState s = UiState.initial();
    assertThat(press(s, "2").view()).isEqualTo(View.IMAGES);
    assertThat(press(s, "21").view()).isEqualTo(View.MONITOR);
    assertThat(press(s, "\t").focus()).isEqualTo(Panel.STATUS);
    assertThat(press(s, "\t\t").focus()).isEqualTo(Panel.LOG);
    assertThat(press(s, "\t\t\t").focus()).isEqualTo(Panel.RUNS);
    assertThat(press(s, "2\t").view()).isEqualTo(View.MONITOR);
  }

  @Test
  void movesAreClampedToTheFocusedList() {
    UiState s = UiState.initial();
    assertThat(press(s, "jjjj").runSelected()).isEqualTo(1);
    assertThat(press(s, "jk").runSelected()).isZero();
    assertThat(press(s, "k").runSelected()).isZero();
    assertThat(press(s, "G").runSelected()).isEqualTo(1);
    assertThat(press(s, "Gg").runSelected()).isZero();
    assertThat(press(s, "\t\tj").logSelected()).isEqualTo(1);
    assertThat(press(s, "\t\tj").runSelected()).isZero();
    assertThat(press(s, "\tjjj")).isEqualTo(press(s, "\t"));
    assertThat(press(s, "2G").storeSelected()).isEqualTo(2);
  }

  @Test
  void enterSubmitsOnlyInTheImagesViewAndNamesTheSelectedReference() {
    UiState s = UiState.initial();
    assertThat(s.onKey(UiState.ENTER_CR, data).action()).isEqualTo(Action.NONE);
    UiState images = press(s, "2G");
    assertThat(images.onKey(UiState.ENTER_CR, data).action()).isEqualTo(Action.SUBMIT);
    assertThat(images.onKey(UiState.ENTER_LF, data).action()).isEqualTo(Action.SUBMIT);
    assertThat(images.selectedStoreRow(data).orElseThrow().reference()).isEqualTo("images/python/");
    DashboardData empty = DashboardData.disconnected("x");
    assertThat(images.onKey(UiState.ENTER_CR, empty).action()).isEqualTo(Action.NONE);
    assertThat(images.selectedStoreRow(empty)).isEmpty();
  }

  @Test
  void quitRefreshAndClamp() {
    UiState s = UiState.initial();
    assertThat(s.onKey('q', data).action()).isEqualTo(Action.QUIT);
    assertThat(s.onKey(UiState.CTRL_C, data).action()).isEqualTo(Action.QUIT);
    assertThat(s.onKey('r', data).action()).isEqualTo(Action.REFRESH);
    assertThat(s.onKey('x', data)).isEqualTo(new UiState.Step(s, Action.NONE));
    UiState far = press(s, "2G");
    assertThat(far.clamp(DashboardData.disconnected("x")).storeSelected()).isZero();
  }
}
