package org.dunblock.server.feed;

import java.util.List;

/**
 * A page of filter changes after a version.
 *
 * @param version the version a client holds once it applied {@code added}
 * @param added E.164 numbers listed since (a number may repeat across pages; adding twice is harmless)
 * @param more true when more changes wait: ask again with {@code version} at once
 */
public record FilterChanges(FilterVersion version, List<String> added, boolean more) {
}
