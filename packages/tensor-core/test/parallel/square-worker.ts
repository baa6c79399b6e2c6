// Worker module of worker-jobs.test.ts: squares a number (logging a line first), throws on a negative one.
import { serveWorkerJobs } from '../../src/node.js';

serveWorkerJobs((job: { x: number }, log) => {
  if (job.x < 0) throw new RangeError(`negative ${job.x}`);
  log(`squaring ${job.x}`);
  return { square: job.x * job.x };
});
