package org.dunblock.server.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A Redis hash as the near cache keeps it: an immutable map whose field names are an array shared with every other
 * record of the same shape (the same fields in the same order: a few dozen shapes cover all records), and whose
 * values are its own, packed end to end in one string with an array of where each ends. Four objects a record
 * whatever its fields (a string and its bytes per value made it 2 + 2n): the young collections that copy a freshly
 * filled cache copy objects, not bytes, and fifty thousand records of ten fields were a million objects, 50 to 75 ms
 * of copying a pause on one shared core. About a third of the heap of the map HGETALL returns; a lookup walks at
 * most a few dozen names, found by identity when the caller passes our constants, and each value read is a new
 * substring (young garbage). Read-only: the mutators throw.
 */
final class CompactRecord extends AbstractMap<String, String> {
  /** Shapes kept at most; past this the table starts over (platform names are fields, so shapes have no end). */
  private static final int MAX_SHAPES = 4096;
  /** Characters of field names the table holds at most (platform names are up to 100 characters each). */
  private static final long MAX_SHAPE_CHARS = 256 * 1024;
  private static final Map<List<String>, String[]> SHAPES = new ConcurrentHashMap<>();
  private static final AtomicLong SHAPE_CHARS = new AtomicLong();

  private final String[] names;
  /** The values end to end; value i is {@code packed[ends[i - 1], ends[i])}. */
  private final String packed;
  private final int[] ends;
  /** Whether this record pays for its names in {@link #heapBytes}: it made their shape. */
  private final boolean ownsNames;

  private CompactRecord(String[] names, String packed, int[] ends, boolean ownsNames) {
    this.names = names;
    this.packed = packed;
    this.ends = ends;
    this.ownsNames = ownsNames;
  }

  static CompactRecord of(Map<String, String> fields) {
    String[] names = new String[fields.size()];
    int[] ends = new int[fields.size()];
    StringBuilder values = new StringBuilder();
    int i = 0;
    for (Map.Entry<String, String> field : fields.entrySet()) {
      names[i] = field.getKey();
      values.append(field.getValue());
      ends[i] = values.length();
      i++;
    }
    List<String> shape = Arrays.asList(names);
    String[] shared = SHAPES.get(shape);
    if (shared != null) {
      return new CompactRecord(shared, values.toString(), ends, false);
    }
    int chars = 0;
    for (int k = 0; k < names.length; k++) {
      names[k] = names[k].intern();
      chars += names[k].length();
    }
    if (SHAPES.size() >= MAX_SHAPES || SHAPE_CHARS.addAndGet(chars) > MAX_SHAPE_CHARS) {
      // Platform names are fields, so reports can make shapes without end: start over rather than stop sharing
      // (records made before keep their arrays).
      SHAPES.clear();
      SHAPE_CHARS.set(chars);
    }
    shared = SHAPES.computeIfAbsent(List.copyOf(shape), s -> names);
    // The record whose shape this is pays for its names; the records that share them later do not.
    return new CompactRecord(shared, values.toString(), ends, shared == names);
  }

  /**
   * Rough heap of the record: the object, the packed string (two bytes a character when one is outside Latin-1),
   * the ends, and its names if it made their shape.
   */
  long heapBytes() {
    long size = 40 + 24 + 16 + (long) packed.length() * (latin1(packed) ? 1 : 2) + 16 + 4L * ends.length;
    if (ownsNames) {
      size += 16 + 4L * names.length;
      for (String name : names) {
        size += 40 + name.length();
      }
    }
    return size;
  }

  private static boolean latin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xFF) {
        return false;
      }
    }
    return true;
  }

  private String value(int at) {
    return packed.substring(at == 0 ? 0 : ends[at - 1], ends[at]);
  }

  /** Whether both records hold one array of names (the same shape). */
  boolean sharesNamesWith(CompactRecord other) {
    return names == other.names;
  }

  private int indexOf(Object name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i] == name) {
        return i;
      }
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String get(Object name) {
    int at = indexOf(name);
    return at < 0 ? null : value(at);
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public int size() {
    return ends.length;
  }

  @Override
  public boolean isEmpty() {
    return ends.length == 0;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (int i = 0; i < ends.length; i++) {
      action.accept(names[i], value(i));
    }
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < ends.length;
          }

          @Override
          public Entry<String, String> next() {
            if (next >= ends.length) {
              throw new NoSuchElementException();
            }
            int at = next++;
            return new SimpleImmutableEntry<>(names[at], value(at));
          }
        };
      }

      @Override
      public int size() {
        return ends.length;
      }
    };
  }
}
