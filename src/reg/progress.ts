// A one-line progress report for recursive work (keys, values, keys/s), redrawn on a terminal at most
// a few times a second and silent when stderr is not a terminal.
export class Progress {
  keys = 0;
  values = 0;
  private readonly started = Date.now();
  private last = 0;
  private drawn = false;

  constructor(private readonly out: { write(s: string): unknown; isTTY?: boolean }, private readonly verb: string) {}

  get active(): boolean {
    return this.out.isTTY === true;
  }

  tick(values = 0): void {
    this.keys++;
    this.values += values;
    if (!this.active) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    this.draw();
  }

  private draw(): void {
    const s = (Date.now() - this.started) / 1000;
    const rate = s > 0 ? Math.round(this.keys / s) : 0;
    this.out.write(`\r${this.verb}: ${this.keys} keys, ${this.values} values, ${rate} keys/s\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.active && this.drawn) this.out.write('\r\x1b[K');
  }
}
