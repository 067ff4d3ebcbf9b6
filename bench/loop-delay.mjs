// Preloaded into a benchmarked server (`node --import ./bench/loop-delay.mjs …`): its event-loop delay,
// measured by monitorEventLoopDelay at 1 ms resolution (https://nodejs.org/api/perf_hooks.html). On
// SIGUSR2 it writes p50, p99 and max in milliseconds, as JSON, to the file named by
// BENCH_LOOP_DELAY_FILE, and starts over, so each reading covers the time since the one before.
// The histogram records each interval between the 1 ms timer's runs, so an idle loop reads about 1 ms.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_DELAY_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    writeFileSync(
      file,
      JSON.stringify({
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        samples: histogram.count,
      }),
    );
    histogram.reset();
  });
}
