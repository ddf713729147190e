package io.thinimage.adapters.devicemapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thinimage.adapters.devicemapper.DmStatus.Failed;
import io.thinimage.adapters.devicemapper.DmStatus.NoSpacePolicy;
import io.thinimage.adapters.devicemapper.DmStatus.PoolMode;
import io.thinimage.adapters.devicemapper.DmStatus.ThinPoolStatus;
import io.thinimage.adapters.devicemapper.DmStatus.ThinStatus;
import io.thinimage.core.domain.ErrorKind;
import io.thinimage.core.domain.ThinImageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Status lines observed on a 6.1 kernel (thin-pool v1.22.0) and the forms the kernel documents:
 * Fail, needs_check, ro, out_of_data_space, a held metadata root, no low watermark.
 */
class DmStatusParserTest {

  @Test
  void freshPoolFromAKernel61() {
    ThinPoolStatus p =
        (ThinPoolStatus)
            DmStatusParser.parse(
                "0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown"
                    + " queue_if_no_space - 256");
    assertThat(p.lengthSectors()).isEqualTo(4194304);
    assertThat(p.transactionId()).isZero();
    assertThat(p.metadataUsedBlocks()).isEqualTo(112);
    assertThat(p.metadataTotalBlocks()).isEqualTo(1024);
    assertThat(p.dataUsedBlocks()).isZero();
    assertThat(p.dataTotalBlocks()).isEqualTo(16384);
    assertThat(p.heldMetadataRoot()).isEqualTo(-1);
    assertThat(p.mode()).isEqualTo(PoolMode.RW);
    assertThat(p.discardPassdown()).isTrue();
    assertThat(p.noSpacePolicy()).isEqualTo(NoSpacePolicy.QUEUE);
    assertThat(p.needsCheck()).isFalse();
    assertThat(p.metadataLowWatermark()).isEqualTo(256);
    assertThat(p.dataFreeRatio()).isEqualTo(1.0);
  }

  @Test
  void poolWithDataNoPassdownAndNamePrefix() {
    ThinPoolStatus p =
        (ThinPoolStatus)
            DmStatusParser.parse(
                "pool: 0 4194304 thin-pool 0 115/1024 396/16384 - rw no_discard_passdown"
                    + " queue_if_no_space - 256");
    assertThat(p.dataUsedBlocks()).isEqualTo(396);
    assertThat(p.discardPassdown()).isFalse();
  }

  @Test
  void heldRootNeedsCheckErrorPolicyAndNoWatermark() {
    ThinPoolStatus p =
        (ThinPoolStatus)
            DmStatusParser.parse(
                "0 2097152 thin-pool 18446744073 900/1024 100/200 4711 ro no_discard_passdown"
                    + " error_if_no_space needs_check");
    assertThat(p.transactionId()).isEqualTo(18446744073L);
    assertThat(p.heldMetadataRoot()).isEqualTo(4711);
    assertThat(p.mode()).isEqualTo(PoolMode.RO);
    assertThat(p.noSpacePolicy()).isEqualTo(NoSpacePolicy.ERROR);
    assertThat(p.needsCheck()).isTrue();
    assertThat(p.metadataLowWatermark()).isEqualTo(-1);
  }

  @Test
  void outOfDataSpace() {
    ThinPoolStatus p =
        (ThinPoolStatus)
            DmStatusParser.parse(
                "0 131072 thin-pool 0 120/1024 1024/1024 - out_of_data_space discard_passdown"
                    + " error_if_no_space - 256");
    assertThat(p.mode()).isEqualTo(PoolMode.OUT_OF_DATA_SPACE);
    assertThat(p.dataFreeRatio()).isZero();
  }

  @Test
  void failAndErrorForms() {
    assertThat(DmStatusParser.parse("0 4194304 thin-pool Fail"))
        .isEqualTo(new Failed("thin-pool", 4194304, "Fail"));
    assertThat(DmStatusParser.parse("0 2097152 thin Fail"))
        .isEqualTo(new Failed("thin", 2097152, "Fail"));
    assertThat(DmStatusParser.parse("0 4194304 thin-pool Error"))
        .isEqualTo(new Failed("thin-pool", 4194304, "Error"));
  }

  @Test
  void thinLines() {
    assertThat(DmStatusParser.parse("0 2097152 thin 101376 2097151"))
        .isEqualTo(new ThinStatus(2097152, 101376, 2097151));
    assertThat(DmStatusParser.parse("tipool-ti-2: 0 2097152 thin 0 -"))
        .isEqualTo(new ThinStatus(2097152, 0, -1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0 4194304 linear",
        "0 4194304 linear 7:0 0",
        "0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown queue_if_no_space",
        "0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown bogus - 256",
        "0 4194304 thin-pool 0 112/1024 0/16384 - maybe discard_passdown queue_if_no_space - 256",
        "0 4194304 thin-pool 0 2000/1024 0/16384 - rw discard_passdown queue_if_no_space - 256",
        "0 4194304 thin-pool x 112/1024 0/16384 - rw discard_passdown queue_if_no_space - 256",
        "0 4194304 thin-pool 0 112-1024 0/16384 - rw discard_passdown queue_if_no_space - 256",
        "0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown queue_if_no_space ok 256",
        "0 2097152 thin 1 2 3",
      })
  void rejectsWhatItDoesNotUnderstand(String line) {
    assertThatThrownBy(() -> DmStatusParser.parse(line))
        .isInstanceOfSatisfying(
            ThinImageException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INTERNAL);
              assertThat(e.code()).isEqualTo("dm-status-unparsable");
            });
  }

  @Test
  void guardRefusesEachUnsafeState() {
    AllocationGuard g = new AllocationGuard(0.10, 0.20);
    String healthy =
        "0 4194304 thin-pool 0 112/1024 0/16384 - rw discard_passdown error_if_no_space - 256";
    assertThat(g.check(DmStatusParser.parse(healthy))).isEmpty();
    assertThat(code(g, "0 4194304 thin-pool Fail")).isEqualTo("pool-failed");
    assertThat(
            code(
                g,
                "0 4 thin-pool 0 1/1024 0/16 - rw discard_passdown error_if_no_space needs_check 9"))
        .isEqualTo("pool-needs-check");
    assertThat(code(g, "0 4 thin-pool 0 1/1024 0/16 - ro discard_passdown error_if_no_space - 9"))
        .isEqualTo("pool-read-only");
    assertThat(
            code(
                g,
                "0 4 thin-pool 0 1/1024 16/16 - out_of_data_space discard_passdown"
                    + " error_if_no_space - 9"))
        .isEqualTo("pool-out-of-data-space");
    assertThat(code(g, "0 4 thin-pool 0 1/1024 15/16 - rw discard_passdown error_if_no_space - 9"))
        .isEqualTo("pool-data-low");
    assertThat(code(g, "0 4 thin-pool 0 900/1024 1/16 - rw discard_passdown error_if_no_space - 9"))
        .isEqualTo("pool-metadata-low");
    assertThat(code(g, "0 2097152 thin 0 -")).isEqualTo("pool-not-a-pool");
    assertThat(g.check(DmStatusParser.parse("0 4194304 thin-pool Fail")).get().toException().kind())
        .isEqualTo(ErrorKind.UNSAFE);
  }

  private static String code(AllocationGuard g, String line) {
    return g.check(DmStatusParser.parse(line)).orElseThrow().code();
  }
}
