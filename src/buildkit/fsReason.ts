// Node's fs errors, said the way our messages say them (which name the path themselves).

/** "permission denied" from Node's "EACCES: permission denied, open '/x'" (the path is said already). */
export function fsReason(err: unknown): string {
  const m = /^[A-Z0-9_]+: (.*?)(, \w+(?: '.*')?)?$/.exec((err as Error).message ?? '');
  return m ? m[1] : String((err as Error).message ?? err);
}
