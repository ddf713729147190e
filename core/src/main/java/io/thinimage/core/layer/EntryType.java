package io.thinimage.core.layer;

/** What a path in a {@link RootFilesystem} is, as {@code lstat} sees it (links never followed). */
public enum EntryType {
  /** Nothing exists at the path. */
  ABSENT,
  DIRECTORY,
  REGULAR,
  SYMLINK,
  CHAR_DEVICE,
  BLOCK_DEVICE,
  FIFO,
  /** Anything else (a socket, say). */
  OTHER
}
