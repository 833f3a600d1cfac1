/** Milliseconds since the epoch. Injected wherever time decides something, so tests move it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock tests can move forward instead of sleeping. */
export function createTestClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}
