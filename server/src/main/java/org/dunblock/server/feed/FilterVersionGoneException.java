package org.dunblock.server.feed;

/**
 * The change streams no longer hold everything after a client's filter version (it is too far behind, or the version
 * is from another deployment): the client must download a snapshot. {@link FilterFeedApi} answers it with 410.
 */
final class FilterVersionGoneException extends RuntimeException {
  FilterVersionGoneException() {
    super("The changes since this version are no longer kept; download the snapshot from /v1/filter.", null, false,
        false);
  }
}
