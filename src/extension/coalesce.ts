// Many change events in a burst become one tree refresh.

export class Coalesced {
  private pending?: NodeJS.Timeout;

  constructor(
    private readonly delayMs: number,
    private readonly fire: () => void,
  ) {}

  schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.fire();
    }, this.delayMs);
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }
}
