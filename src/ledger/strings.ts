// Detaching strings that will be kept for a long time. msgpackr hands out the strings of
// one decoded value (a raft entry, a stored record) as slices of one string holding all of
// them, and V8 makes any substring of 13 or more characters a slice of its parent: a
// slice kept in ledger state pins the whole parent for as long as the record lives (after a
// restart, ~57 B more per position and outcome). A JSON round trip yields a new flat string
// (exact for every string: lone surrogates are escaped and restored), at about 0.2 us.

/** Shortest string V8 represents as a slice of another. */
const SLICE_CHARS_MIN = 13;

/** s as a standalone flat string (s itself when it cannot be a slice). */
export function detach(s: string): string {
  return s.length >= SLICE_CHARS_MIN ? (JSON.parse(JSON.stringify(s)) as string) : s;
}
