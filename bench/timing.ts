/** The median wall time of `run`, in milliseconds, over `times` calls. */
export function median(run: () => void, times: number): number {
  const samples: number[] = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}
