package org.dunblock.server.feed;

import java.util.List;

/**
 * A page of filter changes after a version. A number is in at most one of the lists: its last change in the page
 * decides.
 *
 * @param version the version a client holds once it applied {@code added} and {@code removed}
 * @param added entries listed since (a number may repeat across pages; adding twice is harmless)
 * @param removed entries whose lookup now answers ALLOW from the entry itself (an ALLOW override, an allowed
 *     appeal, an override cleared with no crowd record left): an app may answer them locally even on a filter hit
 * @param more true when more changes wait: ask again with {@code version} at once
 */
public record FilterChanges(FilterVersion version, List<String> added, List<String> removed, boolean more) {
}
