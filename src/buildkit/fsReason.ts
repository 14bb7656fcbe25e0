// Node's fs errors, said the way our messages say them (which name the path themselves).

/** "permission denied" from Node's "EACCES: permission denied, open '/x'" (the path is said already). */
export function fsReason(err: unknown): string {
  // Node words a directory differently for rm (ERR_FS_EISDIR) and open/read (EISDIR, "illegal operation on a directory")
  if (['EISDIR', 'ERR_FS_EISDIR'].includes((err as NodeJS.ErrnoException)?.code ?? '')) return 'is a directory';
  const m = /^[A-Z0-9_]+: (.*?)(, \w+(?: '.*')?)?$/.exec((err as Error).message ?? '');
  return m ? m[1] : String((err as Error).message ?? err);
}
