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
import java.util.function.BiConsumer;

/**
 * A Redis hash as the near cache keeps it: an immutable map of two arrays, its field names shared with every
 * other record of the same shape (the same fields in the same order: a few dozen shapes cover all records), its
 * values its own. About half the heap of the map HGETALL returns, and a lookup walks at most a few dozen names,
 * found by identity when the caller passes our constants. Read-only: the mutators throw.
 */
final class CompactRecord extends AbstractMap<String, String> {
  /** Shapes kept at most; past this the table starts over (platform names are fields, so shapes have no end). */
  private static final int MAX_SHAPES = 4096;
  private static final Map<List<String>, String[]> SHAPES = new ConcurrentHashMap<>();

  private final String[] names;
  private final String[] values;
  private final boolean sharedNames;

  private CompactRecord(String[] names, String[] values, boolean sharedNames) {
    this.names = names;
    this.values = values;
    this.sharedNames = sharedNames;
  }

  static CompactRecord of(Map<String, String> fields) {
    String[] names = new String[fields.size()];
    String[] values = new String[fields.size()];
    int i = 0;
    for (Map.Entry<String, String> field : fields.entrySet()) {
      names[i] = field.getKey();
      values[i] = field.getValue();
      i++;
    }
    List<String> shape = Arrays.asList(names);
    String[] shared = SHAPES.get(shape);
    if (shared == null) {
      if (SHAPES.size() >= MAX_SHAPES) {
        // Platform names are fields, so reports can make shapes without end: start over rather than stop sharing
        // (records made before keep their arrays).
        SHAPES.clear();
      }
      for (int k = 0; k < names.length; k++) {
        names[k] = names[k].intern();
      }
      shared = SHAPES.computeIfAbsent(List.copyOf(shape), s -> names);
    }
    return new CompactRecord(shared != null ? shared : names, values, shared != null);
  }

  /** Rough heap of the record: the object, the values array and each value, and its names unless shared. */
  long heapBytes() {
    long size = 24 + 16 + 4L * values.length;
    for (int i = 0; i < values.length; i++) {
      size += 40 + values[i].length() + (sharedNames ? 0 : 44 + names[i].length());
    }
    return size;
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
    return at < 0 ? null : values[at];
  }

  @Override
  public boolean containsKey(Object name) {
    return indexOf(name) >= 0;
  }

  @Override
  public int size() {
    return values.length;
  }

  @Override
  public boolean isEmpty() {
    return values.length == 0;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (int i = 0; i < values.length; i++) {
      action.accept(names[i], values[i]);
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
            return next < values.length;
          }

          @Override
          public Entry<String, String> next() {
            if (next >= values.length) {
              throw new NoSuchElementException();
            }
            int at = next++;
            return new SimpleImmutableEntry<>(names[at], values[at]);
          }
        };
      }

      @Override
      public int size() {
        return values.length;
      }
    };
  }
}
