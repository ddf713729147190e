package io.thinimage.cli.output;

import io.thinimage.core.api.ProcessResult;
import io.thinimage.core.domain.Activation;
import io.thinimage.core.domain.Image;
import io.thinimage.core.domain.ImageLayer;
import io.thinimage.core.engine.Run;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The stable JSON shapes of {@code --output json}. They are the CLI's contract with scripts, kept
 * apart from the core records so that a refactor of the core does not silently change them. Field
 * names are camelCase; times are ISO-8601 UTC; sizes are bytes; absent values are {@code null}.
 */
public final class Views {
  private Views() {}

  /** One layer of an image. */
  public record LayerView(
      int position, String key, long sizeBytes, String etag, String digest, String chain) {
    static LayerView of(ImageLayer l) {
      return new LayerView(
          l.position(),
          l.object().key(),
          l.object().size(),
          l.object().etag(),
          l.digest() == null ? null : l.digest().toString(),
          l.chain() == null ? null : l.chain().toString());
    }
  }

  /** An image as {@code list-images} and {@code process-image} show it. */
  public record ImageView(
      String id,
      String reference,
      String family,
      String store,
      String state,
      long sizeBytes,
      String topChain,
      long liveActivations,
      String failureCode,
      String failureMessage,
      Instant createdAt,
      Instant updatedAt,
      List<LayerView> layers) {
    public static ImageView of(Image i, List<Activation> activations) {
      long live =
          activations.stream().filter(a -> a.imageId().equals(i.id()) && a.isLive()).count();
      return new ImageView(
          i.id(),
          i.reference().value(),
          i.reference().family(),
          i.store(),
          i.state().name().toLowerCase(java.util.Locale.ROOT),
          i.totalSize(),
          i.topChain() == null ? null : i.topChain().toString(),
          live,
          i.failureCode(),
          i.failureMessage(),
          i.createdAt(),
          i.updatedAt(),
          i.layers().stream().map(LayerView::of).toList());
    }
  }

  /** An activation (the seed's "snapshot") with its device path. */
  public record ActivationView(
      String id,
      String imageId,
      String state,
      boolean active,
      String devicePath,
      long thinId,
      Instant createdAt,
      Instant updatedAt) {
    public static ActivationView of(Activation a) {
      return new ActivationView(
          a.id(),
          a.imageId(),
          a.state().name().toLowerCase(java.util.Locale.ROOT),
          a.state() == io.thinimage.core.domain.ActivationState.ACTIVE,
          a.devicePath(),
          a.thinId(),
          a.createdAt(),
          a.updatedAt());
    }
  }

  /** What {@code process-image} did. */
  public record ProcessView(
      ImageView image,
      ActivationView activation,
      boolean alreadyDone,
      int blobsDownloaded,
      long bytesDownloaded,
      int volumesBuilt,
      String runId) {
    public static ProcessView of(ProcessResult r) {
      List<Activation> acts = r.activation() == null ? List.of() : List.of(r.activation());
      return new ProcessView(
          ImageView.of(r.image(), acts),
          r.activation() == null ? null : ActivationView.of(r.activation()),
          r.alreadyDone(),
          r.blobsDownloaded(),
          r.bytesDownloaded(),
          r.volumesBuilt(),
          r.runId());
    }
  }

  /** A run, as {@code status} shows runs in flight and recent failures. */
  public record RunView(
      String id,
      String type,
      String resourceId,
      String state,
      String status,
      int attempt,
      String errorCode,
      String errorMessage,
      Instant createdAt,
      Instant updatedAt,
      Map<String, String> attributes) {
    public static RunView of(Run r) {
      return new RunView(
          r.id(),
          r.type(),
          r.resourceId(),
          r.state(),
          r.status().name().toLowerCase(java.util.Locale.ROOT),
          r.attempt(),
          r.errorCode(),
          r.errorMessage(),
          r.createdAt(),
          r.updatedAt(),
          r.attributes());
    }
  }

  /** {@code list-images --output json}. */
  public record ImageList(int count, List<ImageView> images) {}

  /** {@code list-snapshots --output json}. */
  public record SnapshotList(int count, List<ActivationView> snapshots) {}
}
