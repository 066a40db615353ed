package org.dunblock.server.number;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A regular expression over ASCII digits compiled to a deterministic automaton: one array read per digit, where
 * {@link java.util.regex.Pattern} backtracks through alternatives. For libphonenumber's patterns, which {@link
 * E164FastPath} runs once or twice per lookup: they use only digits, {@code \d}, classes of digits, groups
 * (capturing or not), alternation and the quantifiers {@code ? * + {n} {n,} {n,m}} (greedy or lazy, which changes
 * nothing about whether they match). Anything else, and any pattern whose automaton would pass {@link #MAX_STATES},
 * is refused ({@link #compile} returns null) and stays with {@code Pattern}; {@code DigitAutomatonTest} checks both
 * answer alike for every pattern of libphonenumber's metadata.
 *
 * <p>Input must be ASCII digits only (the fast path checked it).
 */
final class DigitAutomaton {
  /** A bound on the states of one automaton (ten ints each); larger ones stay regexes. */
  static final int MAX_STATES = 20_000;
  private static final int DIGITS = 10;
  private static final int ALL_DIGITS = (1 << DIGITS) - 1;

  /** {@code next[state * 10 + digit]}: the next state, or -1 when no match can follow. State 0 starts. */
  private final int[] next;
  private final boolean[] accepting;

  private DigitAutomaton(int[] next, boolean[] accepting) {
    this.next = next;
    this.accepting = accepting;
  }

  /** Whether the whole of {@code digits} matches (as {@code Matcher.matches}). */
  boolean matches(CharSequence digits) {
    int state = 0;
    for (int i = 0, n = digits.length(); i < n; i++) {
      state = next[state * DIGITS + digits.charAt(i) - '0'];
      if (state < 0) {
        return false;
      }
    }
    return accepting[state];
  }

  /** Whether some start of {@code digits} matches (as {@code Matcher.lookingAt}). */
  boolean lookingAt(CharSequence digits) {
    int state = 0;
    if (accepting[0]) {
      return true;
    }
    for (int i = 0, n = digits.length(); i < n; i++) {
      state = next[state * DIGITS + digits.charAt(i) - '0'];
      if (state < 0) {
        return false;
      }
      if (accepting[state]) {
        return true;
      }
    }
    return false;
  }

  int states() {
    return accepting.length;
  }

  /** The automaton of {@code regex}, or null when it uses anything but the syntax above or grows too large. */
  static DigitAutomaton compile(String regex) {
    return anyOf(List.of(regex));
  }

  /** The automaton of the alternation of {@code regexes}, or null as for {@link #compile}. */
  static DigitAutomaton anyOf(List<String> regexes) {
    Nfa nfa = new Nfa();
    int start = nfa.state();
    int end = nfa.state();
    try {
      for (String regex : regexes) {
        Parser parser = new Parser(regex);
        Node node = parser.alternation();
        if (!parser.atEnd()) {
          return null;
        }
        nfa.epsilon(node.build(nfa, start), end);
      }
    } catch (Unsupported e) {
      return null;
    }
    return nfa.determinise(start, end);
  }

  /** The automaton matching what both match, or null when it would pass {@link #MAX_STATES}. */
  DigitAutomaton and(DigitAutomaton other) {
    Map<Long, Integer> ids = new HashMap<>();
    ArrayDeque<Long> queue = new ArrayDeque<>();
    IntList transitions = new IntList();
    List<Boolean> accept = new ArrayList<>();
    ids.put(0L, 0);
    queue.add(0L);
    accept.add(accepting[0] && other.accepting[0]);
    while (!queue.isEmpty()) {
      long pair = queue.poll();
      int a = (int) (pair >>> 32);
      int b = (int) pair;
      int id = ids.get(pair);
      for (int d = 0; d < DIGITS; d++) {
        int na = next[a * DIGITS + d];
        int nb = other.next[b * DIGITS + d];
        int target = -1;
        if (na >= 0 && nb >= 0) {
          long key = (long) na << 32 | nb;
          Integer known = ids.get(key);
          if (known == null) {
            if (ids.size() >= MAX_STATES) {
              return null;
            }
            known = ids.size();
            ids.put(key, known);
            queue.add(key);
            accept.add(accepting[na] && other.accepting[nb]);
          }
          target = known;
        }
        transitions.set(id * DIGITS + d, target);
      }
    }
    boolean[] accepts = new boolean[accept.size()];
    for (int i = 0; i < accepts.length; i++) {
      accepts[i] = accept.get(i);
    }
    return new DigitAutomaton(transitions.toArray(accepts.length * DIGITS), accepts);
  }

  /** Thrown for syntax this class does not compile. */
  private static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  /** A growable int array. */
  private static final class IntList {
    private int[] values = new int[64];

    void set(int index, int value) {
      if (index >= values.length) {
        values = Arrays.copyOf(values, Math.max(values.length * 2, index + 1));
      }
      values[index] = value;
    }

    int[] toArray(int length) {
      return Arrays.copyOf(values, length);
    }
  }

  /** A nondeterministic automaton with epsilon moves, built by Thompson's construction. */
  private static final class Nfa {
    private final List<int[]> epsilons = new ArrayList<>();
    /** Per state, pairs of (digit mask, target). */
    private final List<int[]> moves = new ArrayList<>();

    int state() {
      epsilons.add(new int[0]);
      moves.add(new int[0]);
      if (epsilons.size() > MAX_STATES * 4) {
        throw new Unsupported();
      }
      return epsilons.size() - 1;
    }

    void epsilon(int from, int to) {
      int[] old = epsilons.get(from);
      int[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = to;
      epsilons.set(from, grown);
    }

    void move(int from, int mask, int to) {
      int[] old = moves.get(from);
      int[] grown = Arrays.copyOf(old, old.length + 2);
      grown[old.length] = mask;
      grown[old.length + 1] = to;
      moves.set(from, grown);
    }

    private void close(BitSet states) {
      ArrayDeque<Integer> stack = new ArrayDeque<>();
      states.stream().forEach(stack::push);
      while (!stack.isEmpty()) {
        for (int to : epsilons.get(stack.pop())) {
          if (!states.get(to)) {
            states.set(to);
            stack.push(to);
          }
        }
      }
    }

    /** Subset construction; null past {@link #MAX_STATES}. */
    DigitAutomaton determinise(int start, int end) {
      Map<BitSet, Integer> ids = new HashMap<>();
      List<BitSet> sets = new ArrayList<>();
      IntList transitions = new IntList();
      BitSet first = new BitSet();
      first.set(start);
      close(first);
      ids.put(first, 0);
      sets.add(first);
      for (int id = 0; id < sets.size(); id++) {
        BitSet current = sets.get(id);
        for (int d = 0; d < DIGITS; d++) {
          BitSet target = new BitSet();
          int bit = 1 << d;
          for (int s = current.nextSetBit(0); s >= 0; s = current.nextSetBit(s + 1)) {
            int[] m = moves.get(s);
            for (int i = 0; i < m.length; i += 2) {
              if ((m[i] & bit) != 0) {
                target.set(m[i + 1]);
              }
            }
          }
          if (target.isEmpty()) {
            transitions.set(id * DIGITS + d, -1);
            continue;
          }
          close(target);
          Integer known = ids.get(target);
          if (known == null) {
            if (sets.size() >= MAX_STATES) {
              return null;
            }
            known = sets.size();
            ids.put(target, known);
            sets.add(target);
          }
          transitions.set(id * DIGITS + d, known);
        }
      }
      boolean[] accepts = new boolean[sets.size()];
      for (int i = 0; i < accepts.length; i++) {
        accepts[i] = sets.get(i).get(end);
      }
      return new DigitAutomaton(transitions.toArray(accepts.length * DIGITS), accepts);
    }
  }

  /** A parsed expression, which can be built into an NFA as often as a counted repetition needs. */
  private interface Node {
    /** Adds this expression's states after {@code from}; returns the state it ends in. */
    int build(Nfa nfa, int from);
  }

  private record Digits(int mask) implements Node {
    public int build(Nfa nfa, int from) {
      int to = nfa.state();
      nfa.move(from, mask, to);
      return to;
    }
  }

  private record Sequence(List<Node> parts) implements Node {
    public int build(Nfa nfa, int from) {
      int at = from;
      for (Node part : parts) {
        at = part.build(nfa, at);
      }
      return at;
    }
  }

  private record Alternation(List<Node> choices) implements Node {
    public int build(Nfa nfa, int from) {
      int end = nfa.state();
      for (Node choice : choices) {
        // Each choice starts from a state of its own, so that a loop in one never reaches another.
        int own = nfa.state();
        nfa.epsilon(from, own);
        nfa.epsilon(choice.build(nfa, own), end);
      }
      return end;
    }
  }

  /** {@code max} -1: unbounded. */
  private record Repeat(Node body, int min, int max) implements Node {
    public int build(Nfa nfa, int from) {
      int at = from;
      for (int i = 0; i < min; i++) {
        at = body.build(nfa, at);
      }
      if (max < 0) {
        int loop = nfa.state();
        nfa.epsilon(at, loop);
        nfa.epsilon(body.build(nfa, loop), loop);
        return loop;
      }
      for (int i = min; i < max; i++) {
        int end = nfa.state();
        nfa.epsilon(at, end);
        int own = nfa.state();
        nfa.epsilon(at, own);
        nfa.epsilon(body.build(nfa, own), end);
        at = end;
      }
      return at;
    }
  }

  /** Recursive descent over the supported syntax; anything else throws {@link Unsupported}. */
  private static final class Parser {
    private static final int MAX_COUNT = 100;
    private final String regex;
    private int at;

    Parser(String regex) {
      this.regex = regex;
    }

    boolean atEnd() {
      return at == regex.length();
    }

    private char peek() {
      return at < regex.length() ? regex.charAt(at) : '\0';
    }

    Node alternation() {
      List<Node> choices = new ArrayList<>();
      choices.add(sequence());
      while (peek() == '|') {
        at++;
        choices.add(sequence());
      }
      return choices.size() == 1 ? choices.get(0) : new Alternation(choices);
    }

    private Node sequence() {
      List<Node> parts = new ArrayList<>();
      while (!atEnd() && peek() != '|' && peek() != ')') {
        parts.add(quantified(atom()));
      }
      return new Sequence(parts);
    }

    private Node atom() {
      char c = regex.charAt(at++);
      if (c >= '0' && c <= '9') {
        return new Digits(1 << (c - '0'));
      }
      switch (c) {
        case '\\' -> {
          if (peek() != 'd') {
            throw new Unsupported();
          }
          at++;
          return new Digits(ALL_DIGITS);
        }
        case '[' -> {
          return new Digits(characterClass());
        }
        case '(' -> {
          if (peek() == '?') {
            if (!regex.startsWith("?:", at)) {
              throw new Unsupported();
            }
            at += 2;
          }
          Node inner = alternation();
          if (peek() != ')') {
            throw new Unsupported();
          }
          at++;
          return inner;
        }
        default -> throw new Unsupported();
      }
    }

    private int characterClass() {
      int mask = 0;
      if (peek() == '^') {
        throw new Unsupported();
      }
      while (peek() != ']') {
        int low = classDigits();
        int high = low;
        if (peek() == '-' && at + 1 < regex.length() && regex.charAt(at + 1) != ']') {
          at++;
          high = classDigits();
          if (Integer.bitCount(low) != 1 || Integer.bitCount(high) != 1) {
            throw new Unsupported();
          }
          int from = Integer.numberOfTrailingZeros(low);
          int to = Integer.numberOfTrailingZeros(high);
          if (from > to) {
            throw new Unsupported();
          }
          for (int d = from; d <= to; d++) {
            mask |= 1 << d;
          }
        } else {
          mask |= low;
        }
      }
      at++;
      if (mask == 0) {
        throw new Unsupported();
      }
      return mask;
    }

    /** One member of a class: a digit (its bit) or {@code \d} (all ten). */
    private int classDigits() {
      if (atEnd()) {
        throw new Unsupported();
      }
      char c = regex.charAt(at++);
      if (c >= '0' && c <= '9') {
        return 1 << (c - '0');
      }
      if (c == '\\' && peek() == 'd') {
        at++;
        return ALL_DIGITS;
      }
      throw new Unsupported();
    }

    private Node quantified(Node atom) {
      Node node = atom;
      while (true) {
        char c = peek();
        int min;
        int max;
        if (c == '?') {
          min = 0;
          max = 1;
          at++;
        } else if (c == '*') {
          min = 0;
          max = -1;
          at++;
        } else if (c == '+') {
          min = 1;
          max = -1;
          at++;
        } else if (c == '{') {
          at++;
          min = number();
          max = min;
          if (peek() == ',') {
            at++;
            max = peek() == '}' ? -1 : number();
          }
          if (peek() != '}' || max >= 0 && max < min) {
            throw new Unsupported();
          }
          at++;
        } else {
          return node;
        }
        // A lazy quantifier matches the same strings; a possessive one may not, so it is refused.
        if (peek() == '?') {
          at++;
        } else if (peek() == '+') {
          throw new Unsupported();
        }
        node = new Repeat(node, min, max);
      }
    }

    private int number() {
      int start = at;
      while (peek() >= '0' && peek() <= '9') {
        at++;
      }
      if (at == start || at - start > 3) {
        throw new Unsupported();
      }
      int n = Integer.parseInt(regex.substring(start, at));
      if (n > MAX_COUNT) {
        throw new Unsupported();
      }
      return n;
    }
  }
}
