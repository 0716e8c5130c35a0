/**
 * Timing of a fully pipelined unit: one issue per cycle, each result usable
 * `latency` cycles after its issue. The simulator clocks every unit once per
 * cycle: first `tick()` (what completes this cycle), then at most one `issue()`.
 *
 *   issue in cycle t ──► slot ──► … ──► tick() returns it in cycle t + latency
 *
 * The value carried is the unit's result, computed (and rounded) at issue; the
 * pipe only models when it becomes visible.
 */
export class Pipe<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private free = -1;
  private inFlight = 0;
  /** Operations issued since construction (activity counter). */
  issued = 0;

  constructor(
    readonly name: string,
    readonly latency: number,
  ) {
    if (!Number.isInteger(latency) || latency < 1)
      throw new RangeError(`${name}: pipeline latency must be an integer ≥ 1; got ${latency}`);
    this.slots = new Array<T | undefined>(latency).fill(undefined);
  }

  /** Advances one cycle and returns the result completing in this cycle, if any. */
  tick(): T | undefined {
    const out = this.slots[this.head];
    this.slots[this.head] = undefined;
    if (out !== undefined) this.inFlight--;
    this.free = this.head;
    this.head = (this.head + 1) % this.latency;
    return out;
  }

  /**
   * Issues one operation in the current cycle (after tick); a second issue in the same cycle is a
   * structural hazard.
   */
  issue(value: T): void {
    if (this.free < 0) throw new Error(`${this.name}: two issues in one cycle (structural hazard in the schedule)`);
    this.slots[this.free] = value;
    this.free = -1;
    this.inFlight++;
    this.issued++;
  }

  /** True while an issued result has not yet completed. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Clears the issue permission after the cycle (called by the simulator at the end of each cycle). */
  endCycle(): void {
    this.free = -1;
  }
}
