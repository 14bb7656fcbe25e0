// A repeating timer that runs only while something is going on (a build running), so an idle
// window keeps no timer waking its extension host. No vscode import: unit-tested in plain Node.

export interface Subscription {
  dispose(): void;
}

/** Calls tick every ms while active() holds; checks active() again each time onChange fires. */
export function tickWhile(active: () => boolean, onChange: (listener: () => void) => Subscription, ms: number, tick: () => void): Subscription {
  let timer: NodeJS.Timeout | undefined;
  const sync = () => {
    if (active()) timer ??= setInterval(tick, ms);
    else if (timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const sub = onChange(sync);
  sync();
  return {
    dispose() {
      sub.dispose();
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
