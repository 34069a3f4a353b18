// Why a data dir could not be opened, in words that lead to the right action. A full
// disk, a permission problem or a second stockd on the same dir leave the data intact:
// the message must never read like corruption, which invites an operator to wipe the dir.

export type OpenFailureKind = 'disk_full' | 'permission' | 'read_only' | 'locked' | 'corrupt' | 'not_a_directory' | 'io';

interface ErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The error's own code and message and those of its causes (classic-level wraps LevelDB's
 * status in `cause`), bounded in depth. */
function chain(err: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur !== null && cur !== undefined; depth++) {
    const e = cur as ErrorLike;
    if (typeof e.code === 'string') codes.push(e.code);
    texts.push(typeof e.message === 'string' ? e.message : String(cur));
    cur = typeof cur === 'object' ? e.cause : undefined;
  }
  return { codes, text: texts.join(': ') };
}

export function classifyOpenFailure(err: unknown): { readonly kind: OpenFailureKind; readonly detail: string } {
  const { codes, text } = chain(err);
  const has = (code: string, words: RegExp): boolean => codes.includes(code) || words.test(text);
  const detail = text.slice(0, 500);
  if (has('ENOSPC', /No space left on device/i)) return { kind: 'disk_full', detail };
  if (has('EROFS', /Read-only file system/i)) return { kind: 'read_only', detail };
  if (has('EACCES', /Permission denied/i) || has('EPERM', /Operation not permitted/i)) return { kind: 'permission', detail };
  if (has('LEVEL_LOCKED', /lock .*(already held|Resource temporarily unavailable)|LOCK: .*unavailable/i)) return { kind: 'locked', detail };
  if (has('ENOTDIR', /Not a directory/i)) return { kind: 'not_a_directory', detail };
  if (has('LEVEL_CORRUPTION', /Corruption:|corrupt/i)) return { kind: 'corrupt', detail };
  // LevelDB names its files in CURRENT and the manifest: one of them missing is damage.
  if (/IO error: .*No such file or directory/i.test(text)) return { kind: 'corrupt', detail };
  return { kind: 'io', detail };
}

const KEEP = 'the data is not damaged: do NOT wipe the data dir';

/** The start-up refusal for a data dir that did not open. */
export function openFailureMessage(dir: string, err: unknown, uid: number | null = process.getuid?.() ?? null): string {
  const { kind, detail } = classifyOpenFailure(err);
  switch (kind) {
    case 'disk_full':
      return `data dir ${dir} cannot be opened: the disk is full (ENOSPC; ${detail}). Free space on its filesystem and start again; ${KEEP}`;
    case 'read_only':
      return `data dir ${dir} cannot be opened: its filesystem is mounted read-only (EROFS; ${detail}). Remount it read-write; ${KEEP}`;
    case 'permission':
      return `data dir ${dir} cannot be opened: permission denied (${detail}). stockd runs as uid ${uid ?? 'unknown'}: give it read and write access to the dir and every file in it; ${KEEP}`;
    case 'locked':
      return `data dir ${dir} is in use by another process (its LevelDB lock is held; ${detail}): another stockd probably runs on this dir. Stop it, or give this one its own --data`;
    case 'not_a_directory':
      return `data dir ${dir} cannot be opened: a path component is not a directory (${detail})`;
    case 'corrupt':
      return `data dir ${dir} is corrupt (${detail}). Recover the node from its peers (remove it from the cluster, move the dir aside, start it empty with --join and add it again) or restore a backup into a new cluster`;
    case 'io':
      return `data dir ${dir} cannot be opened: I/O error (${detail}). Check the disk and the kernel log; the data may well be intact: do not wipe the dir before knowing the cause`;
  }
}
