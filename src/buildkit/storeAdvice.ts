// What the classic image store cannot do, said one way everywhere: what needs the containerd
// store, why, and how to turn it on.
export function classicStoreRefusal(subject: string, why = ''): string {
  return `${subject} the containerd image store, and this engine uses the classic store${why ? ` (${why})` : ''}: turn it on with "features": {"containerd-snapshotter": true} in /etc/docker/daemon.json and restart the engine`;
}
